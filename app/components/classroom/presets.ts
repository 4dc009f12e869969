// Turning a bundled model's classroom presets (patchbay.json) into experiments: a trace, a patching sweep plus the
// matching single interchange, a multi-source interchange, and ActAdd-style steering. Pure, given token counts.
import type { Experiment } from '../../link/schema';
import type { MultiSourcePreset, PatchingPreset, SteeringPreset, TracePreset } from '../../state/catalog';

/** Token ids of a text (the worker's tokenizer), for presets whose locations depend on the tokens. */
export type Tokenize = (text: string) => Promise<number[]>;
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

/** The last position where two prompts of the same length differ: the last subject token of a minimal pair. */
export function lastDifference(a: number[], b: number[]): number {
  for (let i = Math.min(a.length, b.length) - 1; i >= 0; i--) if (a[i] !== b[i]) return i;
  return Math.min(a.length, b.length) - 1;
}

/** A site's position as the manifest names it: a number, "last token" or "last subject token". */
function sitePosition(position: unknown, base: number[], source: number[]): number {
  if (typeof position === 'number') return position;
  return position === 'last subject token' ? lastDifference(base, source) : base.length - 1;
}

export async function patchingPreset(e: Experiment, p: PatchingPreset, tokenize: Tokenize): Promise<Experiment> {
  const [base, source] = await Promise.all([tokenize(p.base), tokenize(p.source)]);
  const at = p.position ?? lastDifference(base, source);
  const layer = p.layer ?? 0;
  return {
    ...e, view: 'sweep',
    sweep: { base: p.base, source: p.source, component: p.component, metric: 'prob', answer: p.answer },
    intervention: {
      base: p.base, sources: [p.source],
      config: { mode: 'parallel', representations: [{ layer, component: p.component, unit: 'pos', intervention_type: 'VanillaIntervention', group_key: 0 }] },
      unit_locations: { 'sources->base': [[[[at]]], [[[at]]]] },
    },
  };
}

/** Several sources into one base, each at the site the manifest names (one intervention per site, in one run);
 *  without sites, every source's last subject token at layers spread over the model. */
export async function multiSourcePreset(e: Experiment, p: MultiSourcePreset, layers: number, tokenize: Tokenize): Promise<Experiment> {
  const base = await tokenize(p.base);
  const sources = await Promise.all(p.sources.map(tokenize));
  const sites = p.sites ?? p.sources.map((_, i) => ({ source: i, layer: Math.floor((i * layers) / Math.max(1, p.sources.length)), position: 'last subject token' }));
  const reps = sites.map((s) => ({
    layer: s.layer, component: p.component ?? 'block_output', unit: 'pos', intervention_type: 'VanillaIntervention', group_key: s.source,
  }));
  if (p.mode === 'serial') return serialPreset(e, p, reps, sites, base, sources);
  const at = sites.map((s) => sitePosition(s.position, base, sources[s.source] ?? base));
  return {
    ...e, view: 'intervene',
    intervention: {
      base: p.base, sources: p.sources,
      config: { mode: 'parallel', representations: reps },
      unit_locations: { 'sources->base': [at.map((x) => [[x]]), at.map((x) => [[x]])] },
    },
  };
}

/** pyvene's serial mode: site i reads source i at its position and writes into source i+1's run (the last one
 *  into the base's): source_0 → source_1 → … → base, one hop key per site. */
function serialPreset(e: Experiment, p: MultiSourcePreset, reps: Record<string, unknown>[], sites: NonNullable<MultiSourcePreset['sites']>, base: number[], sources: number[][]): Experiment {
  const inputs = [...sources, base];
  const hops = Object.fromEntries(sites.map((s, i) => {
    const from = inputs[i] ?? base;
    const to = inputs[i + 1] ?? base;
    const key = `source_${i}->${i + 1 < sources.length ? `source_${i + 1}` : 'base'}`;
    return [key, [sitePosition(s.position, from, to), sitePosition(s.position, to, from)]];
  }));
  return {
    ...e, view: 'intervene',
    intervention: {
      base: p.base, sources: p.sources,
      config: { mode: 'serial', representations: reps.map(({ group_key: _g, ...r }) => r) },
      unit_locations: hops,
    },
  };
}

/** ActAdd: add coefficient × (positive − negative) block outputs at their last tokens to every base position. With
 *  coefficient 1 that is an Addition from source 0 and a Subtraction from source 1 at the same site; otherwise the
 *  scaled difference is computed once and added as a constant source (pyvene's source_representation). */
export async function steeringPreset(e: Experiment, p: SteeringPreset, tokenize: Tokenize, collect: CollectVector): Promise<Experiment> {
  const [nb, np, nn] = (await Promise.all([tokenize(p.prompt), tokenize(p.positive), tokenize(p.negative)])).map((ids) => ids.length) as [number, number, number];
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
