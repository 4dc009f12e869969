// Runs an experiment document on a GRU network: sources run once (every layer's Y collected), then the base as a
// batch of two rows — row 0 untouched (original), row 1 intervened — through the graph split at each intervened
// (layer, t). The result lists the top-k outputs at every step. Stage: runs → results (recurrent networks).
import { PatchbayError, throwIfAborted } from '../errors.js';
import type { FeedValue } from '../runtime/ort-runtime.js';
import type { FloatTensor } from '../runtime/tensor.js';
import { seededRng } from '../util/random.js';
import { lookupIntervention } from '../interventions/registry.js';
import type { InterventionType } from '../interventions/intervention-type.js';
import { normalizeUnitLocations } from '../experiment/unit-locations.js';
import { topK, type TokenProb } from '../experiment/top-k.js';
import { gruTensors, type GruExperiment, type GruTensors } from './gru-document.js';
import { gruSlotNames, gruSlottedName, gruValueName, type GruSlotSpec } from './gru-slots.js';
import { recurrentSession, type RecurrentModel } from './load-recurrent.js';

export interface StepPrediction { t: number; top_k: TokenProb[]; logits?: number[] }
export interface GruPrediction { prediction: number[]; steps: StepPrediction[] }
/** One layer's state h_t at every step as the layers above (or the head) read it — Y after any output slot —
 *  [steps][hidden], for the original and the intervened row. */
export interface GruLayerStates { layer: number; original: number[][]; intervened: number[][] }
export interface GruExperimentResult { original: GruPrediction; intervened: GruPrediction; states?: GruLayerStates[] }

interface Planned {
  index: number;
  layer: number;
  component: 'block_output' | 'layer_output';
  type: InterventionType<Record<string, unknown>>;
  params: Record<string, unknown>;
  /** Base steps and, paired, source steps (null: sourceless or constant). */
  steps: number[];
  sourceSteps: number[] | null;
  sourceIndex: number | null;
  constant: Float32Array | null;
}

/** `states: true` also returns every layer's state at every step, original and intervened. */
export async function runGruExperiment(model: RecurrentModel, doc: GruExperiment, io: { signal?: AbortSignal; states?: boolean } = {}): Promise<GruExperimentResult> {
  const { nLayers, hidden, inputSize } = model.info.dims;
  const base = gruTensors(doc.base, inputSize, nLayers, hidden, 'base');
  const sources = doc.sources.map((s, i) => gruTensors(s, inputSize, nLayers, hidden, `sources[${i}]`));
  const plan = planGru(model, doc, base, sources);
  const collected: FloatTensor[][] = [];
  for (const src of sources) {
    throwIfAborted(io.signal);
    const session = await recurrentSession(model, { splits: new Map(), outputs: new Set() });
    const out = await session.run(inputFeeds(model, [src]), model.gru.layers.map((_, l) => gruValueName(l)));
    collected.push(model.gru.layers.map((_, l) => out[gruValueName(l)]!));
  }
  const spec: GruSlotSpec = { splits: new Map(), outputs: new Set() };
  for (const p of plan) {
    if (p.component === 'layer_output') spec.outputs.add(p.layer);
    else spec.splits.set(p.layer, [...(spec.splits.get(p.layer) ?? []), ...p.steps]);
  }
  throwIfAborted(io.signal);
  const session = await recurrentSession(model, spec);
  const feeds = { ...inputFeeds(model, [base, base]), ...slotFeeds(model, plan, spec, base.steps, collected, doc.options.seed) };
  const yNames = model.gru.layers.map((_, l) => (spec.outputs.has(l) ? gruSlottedName(l) : gruValueName(l)));
  const out = await session.run(feeds, [model.gru.output, ...(io.states ? yNames : [])]);
  const logits = out[model.gru.output]!;
  const result: GruExperimentResult = { original: predictions(logits, 0, doc), intervened: predictions(logits, 1, doc) };
  if (io.states) result.states = yNames.map((name, layer) => ({ layer, original: stateRows(out[name]!, 0), intervened: stateRows(out[name]!, 1) }));
  return result;
}

/** Y [S, 1, B, H] → row b's [S][H]. */
function stateRows(y: FloatTensor, b: number): number[][] {
  const [S, , B, H] = y.dims as [number, number, number, number];
  return Array.from({ length: S }, (_, t) => Array.from(y.data.subarray((t * B + b) * H, (t * B + b + 1) * H)));
}

function planGru(model: RecurrentModel, doc: GruExperiment, base: GruTensors, sources: GruTensors[]): Planned[] {
  const reps = doc.config.representations;
  const locs = normalizeUnitLocations(doc.unit_locations, reps.map(() => 'pos'));
  let nextSource = 0;
  return reps.map((rep, index) => {
    const path = `config.representations[${index}]`;
    if (rep.layer >= model.info.dims.nLayers) {
      throw new PatchbayError('LAYER_OUT_OF_RANGE', `layer ${rep.layer} requested; the network has ${model.info.dims.nLayers} layers (0–${model.info.dims.nLayers - 1})`, `${path}.layer`);
    }
    const type = lookupIntervention(rep.intervention_type, `${path}.intervention_type`);
    if (type.slotKind !== 'affine') throw new PatchbayError('CONFIG_UNSUPPORTED', `${type.name} is not offered for recurrent networks yet (interchange, zero, addition, subtraction, noise are)`, `${path}.intervention_type`);
    const parsed = type.params.safeParse(rep.params ?? {});
    if (!parsed.success) throw new PatchbayError('INTERVENTION_INVALID', parsed.error.issues[0]!.message, `${path}.params`);
    const constant = rep.source_representation ? Float32Array.from(rep.source_representation) : null;
    if (constant && constant.length !== model.info.dims.hidden) throw new PatchbayError('SHAPE_MISMATCH', `constant source has ${constant.length} values; the state has ${model.info.dims.hidden}`, `${path}.source_representation`);
    const sourceIndex = type.needsSource && !constant ? nextSource++ : null;
    if (sourceIndex !== null && !sources[sourceIndex]) throw new PatchbayError('SOURCE_MISSING', `intervention ${index} reads source ${sourceIndex}, but only ${sources.length} source(s) were given`, 'sources');
    const steps = checkSteps(locs.base[index]![0]!.map((u) => u.pos!), base.steps, rep.component, `unit_locations (intervention ${index})`);
    const source = sourceIndex === null ? null : sources[sourceIndex]!;
    const sourceSteps = source ? (locs.source[index]?.[0] ?? []).map((u) => u.pos!) : null;
    if (source && sourceSteps && (sourceSteps.length !== steps.length || sourceSteps.some((t) => t >= source.steps))) {
      throw new PatchbayError('SHAPE_MISMATCH', `intervention ${index}: source steps [${sourceSteps}] must pair one to one with base steps [${steps}] and exist in the source`, 'unit_locations');
    }
    return { index, layer: rep.layer, component: rep.component, type, params: parsed.data as Record<string, unknown>, steps, sourceSteps, sourceIndex, constant };
  });
}

function checkSteps(steps: number[], S: number, component: string, path: string): number[] {
  const last = component === 'block_output' ? S - 2 : S - 1;
  const bad = steps.find((t) => t > last);
  if (bad !== undefined) {
    throw new PatchbayError('LOCATION_OUT_OF_RANGE', component === 'block_output'
      ? `step ${bad} requested; the state after step t feeds steps t+1…, so t ≤ ${last} for ${S} steps (use layer_output for the last step)`
      : `step ${bad} requested; the input has ${S} steps (0–${S - 1})`, path);
  }
  return steps;
}

/** x [B, S, F] and h0 [L, B, H] for a batch of inputs of the same length. */
function inputFeeds(model: RecurrentModel, rows: GruTensors[]): Record<string, FeedValue> {
  const { nLayers, hidden, inputSize } = model.info.dims;
  const S = rows[0]!.steps;
  if (rows.some((r) => r.steps !== S)) throw new PatchbayError('INPUT_INVALID', 'inputs of one batch need the same number of steps');
  const x = new Float32Array(rows.length * S * inputSize);
  rows.forEach((r, b) => x.set(r.x, b * S * inputSize));
  const feeds: Record<string, FeedValue> = { [model.gru.input]: { data: x, dims: [rows.length, S, inputSize] } };
  if (model.gru.stateInput) {
    const h0 = new Float32Array(nLayers * rows.length * hidden);
    rows.forEach((r, b) => { for (let l = 0; l < nLayers; l++) if (r.h0) h0.set(r.h0.subarray(l * hidden, (l + 1) * hidden), (l * rows.length + b) * hidden); });
    feeds[model.gru.stateInput] = { data: h0, dims: [nLayers, rows.length, hidden] };
  }
  return feeds;
}

/** Slot feeds for the base batch [original, intervened]: only row 1 is written. */
function slotFeeds(model: RecurrentModel, plan: Planned[], spec: GruSlotSpec, S: number, collected: FloatTensor[][], seed: number): Record<string, FloatTensor> {
  const H = model.info.dims.hidden;
  const feeds: Record<string, FloatTensor> = {};
  const slot = (names: { source: string; mask: string; delta: string }, dims: number[]) => {
    const size = dims.reduce((a, b) => a * b, 1);
    for (const n of [names.source, names.mask, names.delta]) feeds[n] ??= { data: new Float32Array(size), dims };
    return { source: feeds[names.source]!.data, mask: feeds[names.mask]!.data, delta: feeds[names.delta]!.data };
  };
  for (const [layer, ts] of spec.splits) for (const t of ts) slot(gruSlotNames(layer, t), [1, 2, H]);
  for (const layer of spec.outputs) slot(gruSlotNames(layer), [S, 1, 2, H]);
  const rng = seededRng(seed);
  for (const p of plan) {
    p.steps.forEach((t, k) => {
      const [buf, at] = p.component === 'block_output' ? [slot(gruSlotNames(p.layer, t), [1, 2, H]), H] : [slot(gruSlotNames(p.layer), [S, 1, 2, H]), (t * 2 + 1) * H];
      const view = (a: Float32Array) => a.subarray(at, at + H);
      const source = p.constant ?? (p.sourceIndex === null ? null : collected[p.sourceIndex]![p.layer]!.data.subarray(p.sourceSteps![k]! * H, (p.sourceSteps![k]! + 1) * H));
      p.type.write({ feeds: { mask: view(buf.mask), source: view(buf.source), delta: view(buf.delta) }, source, subspace: null, params: p.params, gaussian: rng.gaussian, location: k });
    });
  }
  return feeds;
}

function predictions(logits: FloatTensor, row: number, doc: GruExperiment): GruPrediction {
  const [, S, V] = logits.dims as [number, number, number];
  const steps = Array.from({ length: S }, (_, t) => {
    const l = logits.data.subarray((row * S + t) * V, (row * S + t + 1) * V);
    return { t, top_k: topK(l, Math.min(doc.options.top_k, V)), ...(doc.options.full_logits ? { logits: Array.from(l) } : {}) };
  });
  return { prediction: steps.map((s) => s.top_k[0]!.id), steps };
}
