// Runs an experiment document on a loaded model: compile the needed slots, run the sources clean to collect their
// activations, then one base pass of two rows — row 0 untouched (original), row 1 intervened. Stage: runs → results.
import { PatchbayError, throwIfAborted } from '../errors.js';
import type { LoadedModel } from '../model/load-model.js';
import { forward } from '../run/forward.js';
import type { SlotSpec } from '../compile/instrument.js';
import { slotValueNames } from '../sites/site-id.js';
import type { FloatTensor } from '../runtime/tensor.js';
import { seededRng } from '../util/random.js';
import type { ExperimentDoc } from './experiment-schema.js';
import { planExperiment, type Plan, type PlannedIntervention } from './plan.js';
import { rowGeometry } from './site-geometry.js';
import { topK, type TokenProb } from './top-k.js';

export interface ExperimentProgress { stage: 'compile' | 'sources' | 'base'; done: number; total: number }

export interface RunOptions {
  onProgress?: (p: ExperimentProgress) => void;
  signal?: AbortSignal;
}

export interface Prediction {
  top_k: TokenProb[];
  /** The last position's logits over the whole vocabulary (with options.full_logits). */
  logits?: number[];
}

export interface CollectedValue {
  intervention: number;
  site: string;
  units: { pos?: number; head?: number }[];
  /** One feature vector per covered location. */
  values: number[][];
}

export interface ExperimentResult {
  tokens: { base: string[] | null; sources: (string[] | null)[] };
  input_ids: { base: number[]; sources: number[][] };
  original: Prediction;
  intervened: Prediction;
  collected: CollectedValue[];
}

export async function runExperiment(model: LoadedModel, doc: ExperimentDoc, opts: RunOptions = {}): Promise<ExperimentResult> {
  const plan = planExperiment(model, doc);
  if (plan.mode === 'serial') {
    throw new PatchbayError('CONFIG_UNSUPPORTED', 'mode "serial" is not supported yet; use "parallel"', 'config.mode');
  }
  opts.onProgress?.({ stage: 'compile', done: 0, total: 1 });
  const graph = await model.graphs.get(slotSpecs(plan));
  const total = plan.sourceIds.length + 1;
  const sourceValues: Record<string, FloatTensor>[] = [];
  for (let s = 0; s < plan.sourceIds.length; s++) {
    throwIfAborted(opts.signal);
    opts.onProgress?.({ stage: 'sources', done: s, total });
    const sites = [...new Set(plan.interventions.filter((iv) => iv.sourceIndex === s).map((iv) => iv.siteId))];
    const out = await forward(model, graph, { ids: [plan.sourceIds[s]!], collect: sites, logits: 'none', signal: opts.signal });
    sourceValues.push(out.collected);
  }
  opts.onProgress?.({ stage: 'base', done: plan.sourceIds.length, total });
  const feeds = buildFeeds(model, plan, sourceValues, doc.options.seed);
  const collectSites = [...new Set(plan.interventions.filter((iv) => iv.type.slotKind === 'collect').map((iv) => iv.siteId))];
  const base = plan.baseIds;
  const out = await forward(model, graph, { ids: [base, base], feeds, collect: collectSites, logits: 'last', signal: opts.signal });
  opts.onProgress?.({ stage: 'base', done: total, total });
  const logits = out.logits!;
  const vocab = model.info.dims.vocabSize;
  const prediction = (row: number): Prediction => {
    const rowLogits = logits.data.subarray(row * vocab, (row + 1) * vocab);
    return { top_k: topK(rowLogits, doc.options.top_k, model.tokenizer), ...(doc.options.full_logits ? { logits: Array.from(rowLogits) } : {}) };
  };
  return {
    tokens: { base: model.tokenizer?.tokenTexts(base) ?? null, sources: plan.sourceIds.map((ids) => model.tokenizer?.tokenTexts(ids) ?? null) },
    input_ids: { base, sources: plan.sourceIds },
    original: prediction(0),
    intervened: prediction(1),
    collected: collectedValues(model, plan, out.collected),
  };
}

function slotSpecs(plan: Plan): SlotSpec[] {
  const kinds = new Map<string, SlotSpec>();
  for (const iv of plan.interventions) {
    const prev = kinds.get(iv.siteId);
    const kind = iv.type.slotKind === 'affine' || prev?.kind === 'affine' ? 'affine' : 'collect';
    kinds.set(iv.siteId, { site: iv.site, kind });
  }
  return [...kinds.values()];
}

/** Slot feeds for a 2-row base batch: row 0 stays neutral, row 1 carries every intervention. */
function buildFeeds(model: LoadedModel, plan: Plan, sources: Record<string, FloatTensor>[], seed: number): Record<string, FloatTensor> {
  const rng = seededRng(seed);
  const feeds: Record<string, FloatTensor> = {};
  const seq = plan.baseIds.length;
  for (const iv of plan.interventions) {
    if (iv.type.slotKind !== 'affine') continue;
    const g = rowGeometry(iv.site.component, model.info.dims, seq);
    const rowSize = g.rowDims.reduce((a, b) => a * b, 1);
    const names = slotValueNames(iv.siteId);
    for (const n of [names.mask, names.source, names.delta]) {
      feeds[n] ??= { data: new Float32Array(2 * rowSize), dims: [2, ...g.rowDims] };
    }
    const sourceValues = iv.sourceIndex !== null ? sources[iv.sourceIndex]![iv.siteId]! : null;
    iv.baseOffsets.forEach((offset, k) => {
      const at = rowSize + offset; // row 1
      const view = (name: string) => feeds[name]!.data.subarray(at, at + g.features);
      const source = sourceVector(iv, sourceValues, k, g.features);
      iv.type.write({ feeds: { mask: view(names.mask), source: view(names.source), delta: view(names.delta) },
        source, subspace: iv.subspace, params: iv.params, gaussian: rng.gaussian });
    });
  }
  return feeds;
}

function sourceVector(iv: PlannedIntervention, values: FloatTensor | null, k: number, features: number): Float32Array | null {
  if (iv.constant) return iv.constant;
  if (!values || !iv.sourceOffsets) return null;
  const off = iv.sourceOffsets[k]!;
  return values.data.subarray(off, off + features);
}

function collectedValues(model: LoadedModel, plan: Plan, collected: Record<string, FloatTensor>): CollectedValue[] {
  const seq = plan.baseIds.length;
  return plan.interventions.filter((iv) => iv.type.slotKind === 'collect').map((iv) => {
    const t = collected[iv.siteId]!;
    const g = rowGeometry(iv.site.component, model.info.dims, seq);
    const rowSize = g.rowDims.reduce((a, b) => a * b, 1);
    const values = iv.baseOffsets.map((off) => Array.from(t.data.subarray(rowSize + off, rowSize + off + g.features)));
    return { intervention: iv.index, site: iv.siteId, units: iv.baseUnits, values };
  });
}
