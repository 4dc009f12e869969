// The GRU panel's form ↔ the experiment document (engine/recurrent/gru-document.ts): one intervention at (layer,
// step) — the state h_t (`block_output`, carried through the recurrence) or the output Y[t] only (`layer_output`) —
// from a source step into a base step. Plus the bundled manifest's time-step presets and the heatmap grids. Pure.
import { normalizeUnitLocations } from '../../../engine/experiment/unit-locations';
import type { Grid } from '../heatmap/draw-heatmap';
import type { GruLayerStates } from '../../../engine/recurrent/gru-experiment';
import type { TimeStepPresetEntry } from '../../state/catalog';

export type GruMode = 'block_output' | 'layer_output';
export const GRU_TYPES = ['VanillaIntervention', 'ZeroIntervention'] as const;
export type GruType = (typeof GRU_TYPES)[number];

export interface GruForm {
  base: string;
  source: string;
  layer: number;
  mode: GruMode;
  /** The source's step read (interchange) and the base's step written. */
  sourceT: number;
  baseT: number;
  type: GruType;
}

/** A time-step preset in a bundled model's patchbay.json (`presets.time_step`). */
export type TimeStepPreset = TimeStepPresetEntry;

/** The longest base the panel runs and draws (a heatmap row per step). */
export const MAX_STEPS = 512;

export const DEFAULT_GRU_FORM: GruForm = {
  base: '3 1 5 0 7 2 6 4', source: '6 4 2 7 1 0 3 5', layer: 1, mode: 'block_output', sourceT: 2, baseT: 2, type: 'VanillaIntervention',
};

export const MODE_TEXT: Record<GruMode, { label: string; explain: string }> = {
  block_output: {
    label: 'State h_t (carries on)',
    explain: 'The layer’s memory after step t is replaced: the recurrence carries the change to every later step and the layers above.',
  },
  layer_output: {
    label: 'Output Y[t] only',
    explain: 'Only what the next layer (or the head) reads at step t changes; the layer’s own memory keeps its original state.',
  },
};

/** "3 1 5 0" → [3, 1, 5, 0]; null when a part is not a non-negative integer. */
export function symbolsOf(text: string): number[] | null {
  const parts = text.trim().split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p))) return null;
  return parts.map(Number);
}

/** The form a document holds (its first intervention), or null when it is not a GRU document. */
export function readGruForm(doc: Record<string, unknown>): { form: GruForm; interventions: number } | null {
  const sources = Array.isArray(doc.sources) ? doc.sources : [];
  const reps = (doc.config as { representations?: unknown } | undefined)?.representations;
  if (typeof doc.base !== 'string' || symbolsOf(doc.base) === null || !Array.isArray(reps) || reps.length === 0) return null;
  const rep = reps[0] as { layer?: unknown; component?: unknown; intervention_type?: unknown };
  if (rep.component !== 'block_output' && rep.component !== 'layer_output') return null;
  if (typeof rep.layer !== 'number' || !Number.isInteger(rep.layer) || rep.layer < 0) return null;
  const type = (rep.intervention_type ?? 'VanillaIntervention') as GruType;
  if (!GRU_TYPES.includes(type)) return null;
  let baseT: number;
  let sourceT: number;
  try {
    const locs = normalizeUnitLocations(doc.unit_locations as Record<string, unknown> | undefined, reps.map(() => 'pos' as const));
    baseT = locs.base[0]![0]![0]!.pos!;
    sourceT = locs.source[0]?.[0]?.[0]?.pos ?? baseT;
  } catch {
    return null;
  }
  if (!Number.isInteger(baseT) || !Number.isInteger(sourceT)) return null;
  const source = typeof sources[0] === 'string' ? sources[0] : '';
  return { form: { base: doc.base, source, layer: rep.layer, mode: rep.component, sourceT, baseT, type }, interventions: reps.length };
}

export function gruDoc(f: GruForm): Record<string, unknown> {
  return {
    base: f.base,
    sources: f.type === 'VanillaIntervention' ? [f.source] : [],
    config: { mode: 'parallel', representations: [{ layer: f.layer, component: f.mode, unit: 't', intervention_type: f.type }] },
    unit_locations: f.type === 'VanillaIntervention' ? { 'sources->base': [f.sourceT, f.baseT] } : { base: f.baseT },
  };
}

export function presetForm(p: TimeStepPreset): GruForm {
  return { base: p.base, source: p.source, layer: p.layer, mode: p.component, sourceT: p.source_t, baseT: p.base_t, type: p.intervention_type ?? 'VanillaIntervention' };
}

/** Problems the form can see before a run (the engine checks the rest): symbols, steps in range. */
export function formProblems(f: GruForm, inputSize: number, layers: number): string[] {
  const out: string[] = [];
  const base = symbolsOf(f.base);
  const source = symbolsOf(f.source);
  const check = (name: string, ids: number[] | null) => {
    if (!ids) out.push(`${name}: give symbols as numbers separated by spaces, e.g. "3 1 5 0"`);
    else if (ids.some((s) => s >= inputSize)) out.push(`${name}: symbol ${ids.find((s) => s >= inputSize)} is out of range (the network reads 0–${inputSize - 1})`);
  };
  check('Base', base);
  if (base && base.length > MAX_STEPS) out.push(`Base: ${base.length} steps; the panel draws up to ${MAX_STEPS} (run longer sequences with patchbay run)`);
  if (f.type === 'VanillaIntervention') check('Source', source);
  if (f.layer >= layers) out.push(`layer ${f.layer} requested; the network has ${layers} layers (0–${layers - 1})`);
  if (base && f.baseT > lastStep(base.length, f.mode)) {
    out.push(f.mode === 'block_output'
      ? `base step ${f.baseT}: the state after the last step feeds nothing, so t ≤ ${base.length - 2} (or use output-only)`
      : `base step ${f.baseT}: the base has ${base.length} steps (0–${base.length - 1})`);
  }
  if (f.type === 'VanillaIntervention' && source && f.sourceT >= source.length) out.push(`source step ${f.sourceT}: the source has ${source.length} steps (0–${source.length - 1})`);
  return out;
}

export function lastStep(steps: number, mode: GruMode): number {
  return mode === 'block_output' ? steps - 2 : steps - 1;
}

/** One heatmap per layer: rows = time steps (labelled with the base's symbol), columns = hidden units, values =
 *  intervened − original state; one colour scale for all layers; the written step starred in the written layer. */
export function stateGrids(states: GruLayerStates[], base: number[], written: { layer: number; t: number }): Grid[] {
  const diffs = states.map((s) => s.intervened.map((row, t) => row.map((v, u) => v - s.original[t]![u]!)));
  const m = Math.max(1e-6, ...diffs.flat(2).map(Math.abs));
  return states.map((s, k) => ({
    title: `Layer ${s.layer} state: intervened − original`,
    rows: diffs[k]!.map((_, t) => `t=${t} (${base[t] ?? '?'})`),
    columns: (diffs[k]![0] ?? []).map((_, u) => String(u)),
    values: diffs[k]!,
    kind: 'diff',
    domain: [-m, m],
    starred: diffs[k]!.map((_, t) => s.layer === written.layer && t === written.t),
    valueLabel: 'Δ state',
    rowLabel: 'time step (symbol)',
    columnLabel: 'hidden unit',
  }));
}
