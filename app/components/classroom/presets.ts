// Turning a bundled model's classroom presets (patchbay.json) into experiments: a trace, a patching sweep plus the
// matching single interchange, a multi-source interchange, and ActAdd-style steering. Pure, given token counts.
import type { Experiment } from '../../link/schema';
import type { MultiSourcePreset, PatchingPreset, SteeringPreset, TracePreset } from '../../state/catalog';

/** Tokens of a text (the worker's tokenizer), for presets whose locations depend on lengths. */
export type CountTokens = (text: string) => Promise<number>;
/** A prompt's block output at one layer and position (a Collect run in the worker). */
export type CollectVector = (text: string, layer: number, pos: number) => Promise<number[]>;

/** ROME's window of 10 is for 48 layers; small models get a proportionally small one. */
export function traceWindow(layers: number): number {
  return Math.max(1, Math.min(10, Math.round(layers / 4)));
}

export function tracePreset(e: Experiment, p: TracePreset, layers: number): Experiment {
  return {
    ...e, view: 'trace',
    trace: { ...e.trace, prompt: p.prompt, subject: p.subject, answer: p.answer, window: traceWindow(layers), corruption: 'noise', noise: null },
  };
}

export async function patchingPreset(e: Experiment, p: PatchingPreset, count: CountTokens): Promise<Experiment> {
  const n = await count(p.base);
  const layer = p.layer ?? 0;
  return {
    ...e, view: 'sweep',
    sweep: { base: p.base, source: p.source, component: p.component, metric: 'prob', answer: p.answer },
    intervention: {
      base: p.base, sources: [p.source],
      config: { mode: 'parallel', representations: [{ layer, component: p.component, unit: 'pos', intervention_type: 'VanillaIntervention', group_key: 0 }] },
      unit_locations: { 'sources->base': [[[[n - 1]]], [[[n - 1]]]] },
    },
  };
}

/** Two sources into one base: the first token (the name) from source 0 early and from source 1 in the middle. */
export function multiSourcePreset(e: Experiment, p: MultiSourcePreset, layers: number): Experiment {
  const reps = p.sources.map((_, i) => ({
    layer: i === 0 ? 0 : Math.floor(layers / 2), component: 'block_output', unit: 'pos', intervention_type: 'VanillaIntervention', group_key: i,
  }));
  return {
    ...e, view: 'intervene',
    intervention: {
      base: p.base, sources: p.sources,
      config: { mode: 'parallel', representations: reps },
      unit_locations: { 'sources->base': [reps.map(() => [[0]]), reps.map(() => [[0]])] },
    },
  };
}

/** ActAdd: add coefficient × (positive − negative) block outputs at their last tokens to every base position. With
 *  coefficient 1 that is an Addition from source 0 and a Subtraction from source 1 at the same site; otherwise the
 *  scaled difference is computed once and added as a constant source (pyvene's source_representation). */
export async function steeringPreset(e: Experiment, p: SteeringPreset, count: CountTokens, collect: CollectVector): Promise<Experiment> {
  const [nb, np, nn] = await Promise.all([count(p.prompt), count(p.positive), count(p.negative)]);
  const all = Array.from({ length: nb }, (_, i) => i);
  if (p.coefficient !== 1) {
    const [pos, neg] = await Promise.all([collect(p.positive, p.layer, np - 1), collect(p.negative, p.layer, nn - 1)]);
    const vector = pos.map((v, i) => Number((p.coefficient * (v - neg[i]!)).toPrecision(5)));
    return {
      ...e, view: 'intervene',
      intervention: {
        base: p.prompt, sources: [],
        config: { mode: 'parallel', representations: [
          { layer: p.layer, component: 'block_output', unit: 'pos', intervention_type: 'AdditionIntervention', source_representation: vector },
        ] },
        unit_locations: { base: [[all]] },
        options: { top_k: 10 },
      },
    };
  }
  return {
    ...e, view: 'intervene',
    intervention: {
      base: p.prompt, sources: [p.positive, p.negative],
      config: { mode: 'parallel', representations: [
        { layer: p.layer, component: 'block_output', unit: 'pos', intervention_type: 'AdditionIntervention', group_key: 0 },
        { layer: p.layer, component: 'block_output', unit: 'pos', intervention_type: 'SubtractionIntervention', group_key: 1 },
      ] },
      unit_locations: { 'sources->base': [[[all.map(() => np - 1)], [all.map(() => nn - 1)]], [[all], [all]]] },
      options: { top_k: 10 },
    },
  };
}
