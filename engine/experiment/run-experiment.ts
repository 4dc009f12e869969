// Runs an experiment document on a loaded model: compile the needed slots, run the sources to collect their
// activations (clean in parallel mode; each hop patched into the next in serial mode), then one base pass over the
// batch twice — the first N rows untouched (original), the next N intervened. Stage: runs → results.
import { throwIfAborted } from '../errors.js';
import type { LoadedModel } from '../load/load-model.js';
import { forward } from '../run/forward.js';
import type { SlotSpec } from '../compile/instrument.js';
import { graphCache, type CompiledGraph } from '../compile/graph-cache.js';
import { siteId } from '../sites/site-id.js';
import type { FloatTensor } from '../runtime/tensor.js';
import type { SideFiles } from '../interventions/params.js';
import { seededRng, type Rng } from '../util/random.js';
import type { ExperimentDoc } from './experiment-schema.js';
import { planExperiment, rowOf, type Plan, type PlannedIntervention } from './plan.js';
import { rowGeometry } from '../sites/row-geometry.js';
import { buildFeeds, projectionTerms } from './feeds.js';
import { topK, type TokenProb } from './top-k.js';

export interface ExperimentProgress { stage: 'compile' | 'sources' | 'base'; done: number; total: number }

export interface RunOptions {
  onProgress?: (p: ExperimentProgress) => void;
  signal?: AbortSignal;
  /** Binary side files referenced by intervention parameters ({"file": …}). */
  files?: SideFiles;
}

export interface Prediction {
  top_k: TokenProb[];
  /** The last position's logits over the whole vocabulary (with options.full_logits). */
  logits?: number[];
}

export interface CollectedValue {
  intervention: number;
  site: string;
  /** Batch row. */
  row: number;
  units: { pos?: number; head?: number }[];
  /** One feature vector per covered location. */
  values: number[][];
}

export interface ExperimentResult {
  /** Token texts and ids of the first row of each input (all rows: `input_ids_batch`). */
  tokens: { base: string[] | null; sources: (string[] | null)[] };
  input_ids: { base: number[]; sources: number[][] };
  /** Predictions for the first row of the batch. */
  original: Prediction;
  intervened: Prediction;
  collected: CollectedValue[];
  /** With a batch of several base inputs: every row's predictions and ids. */
  rows?: { input_ids: number[]; original: Prediction; intervened: Prediction }[];
}

interface RunContext { model: LoadedModel; plan: Plan; graph: CompiledGraph; terms: Map<PlannedIntervention, number>; rng: Rng; opts: RunOptions }

export async function runExperiment(model: LoadedModel, doc: ExperimentDoc, opts: RunOptions = {}): Promise<ExperimentResult> {
  const plan = planExperiment(model, doc, opts.files);
  opts.onProgress?.({ stage: 'compile', done: 0, total: 1 });
  const graph = await graphCache(model).get(slotSpecs(plan));
  const ctx: RunContext = { model, plan, graph, terms: projectionTerms(plan.interventions), rng: seededRng(doc.options.seed), opts };
  const total = plan.sourceIds.length + 1;
  const N = plan.batch;
  const sourceValues = await sourceRuns(ctx);
  opts.onProgress?.({ stage: 'base', done: plan.sourceIds.length, total });
  const onBase = plan.interventions.filter((iv) => iv.target === 'base');
  const base = plan.baseIds;
  const feeds = feedsFor(ctx, onBase, base[0]!.length, 2 * N, N, N, sourceValues);
  const collectSites = [...new Set(onBase.filter((iv) => iv.type.slotKind === 'collect').map((iv) => iv.siteId))];
  const out = await forward(model, graph, { ids: [...base, ...base], feeds, collect: collectSites, logits: 'last', signal: opts.signal });
  opts.onProgress?.({ stage: 'base', done: total, total });
  const vocab = model.info.dims.vocabSize;
  const prediction = (row: number): Prediction => {
    const rowLogits = out.logits!.data.subarray(row * vocab, (row + 1) * vocab);
    return { top_k: topK(rowLogits, doc.options.top_k, model.tokenizer), ...(doc.options.full_logits ? { logits: Array.from(rowLogits) } : {}) };
  };
  const result: ExperimentResult = {
    tokens: { base: model.tokenizer?.tokenTexts(base[0]!) ?? null, sources: plan.sourceIds.map((ids) => model.tokenizer?.tokenTexts(ids[0]!) ?? null) },
    input_ids: { base: base[0]!, sources: plan.sourceIds.map((ids) => ids[0]!) },
    original: prediction(0),
    intervened: prediction(N),
    collected: collectedValues(model, plan, out.collected),
  };
  if (N > 1) result.rows = base.map((ids, r) => ({ input_ids: ids, original: prediction(r), intervened: prediction(N + r) }));
  return result;
}

/** Runs each source once and returns, per source, its values at the sites that read it (serial mode: each source
 *  run with the previous hop patched in, source_0 → source_1 → …). Also used by generation. */
export async function collectSources(model: LoadedModel, plan: Plan, graph: CompiledGraph, seed: number, opts: RunOptions = {}): Promise<Record<string, FloatTensor>[]> {
  return sourceRuns({ model, plan, graph, terms: projectionTerms(plan.interventions), rng: seededRng(seed), opts });
}

async function sourceRuns(ctx: RunContext): Promise<Record<string, FloatTensor>[]> {
  const { model, plan, graph, opts } = ctx;
  const total = plan.sourceIds.length + 1;
  const sourceValues: Record<string, FloatTensor>[] = [];
  for (let s = 0; s < plan.sourceIds.length; s++) {
    throwIfAborted(opts.signal);
    opts.onProgress?.({ stage: 'sources', done: s, total });
    const ids = plan.sourceIds[s]!;
    const sites = [...new Set(plan.interventions.filter((iv) => iv.sourceIndex === s).map((iv) => iv.siteId))];
    const hop = plan.interventions.filter((iv) => iv.target === s);
    const feeds = hop.length > 0 ? feedsFor(ctx, hop, ids[0]!.length, ids.length, 0, ids.length, sourceValues) : undefined;
    const out = await forward(model, graph, { ids, feeds, collect: sites, logits: 'none', signal: opts.signal });
    sourceValues.push(out.collected);
  }
  return sourceValues;
}

/** One slot per site: writing if any intervention there writes, with a term per projected intervention. */
export function slotSpecs(plan: Plan): SlotSpec[] {
  const specs = new Map<string, SlotSpec>();
  const need = (iv: PlannedIntervention) => {
    const spec = specs.get(iv.siteId) ?? { site: iv.site, kind: 'collect' as const };
    if (iv.type.slotKind === 'affine') spec.kind = 'affine';
    if (iv.type.slotKind === 'projected' && iv.joint) spec.joint = (spec.joint ?? 0) + 1;
    else if (iv.type.slotKind === 'projected') spec.projections = (spec.projections ?? 0) + 1;
    if (iv.skipFrom) {
      spec.skipFrom = iv.skipFrom;
      if (!specs.has(siteId(iv.skipFrom))) specs.set(siteId(iv.skipFrom), { site: iv.skipFrom, kind: 'collect' });
    }
    specs.set(iv.siteId, spec);
  };
  plan.interventions.forEach(need);
  return [...specs.values()];
}

function feedsFor(ctx: RunContext, ivs: PlannedIntervention[], seq: number, rows: number, firstRow: number, batch: number, sources: Record<string, FloatTensor>[]) {
  return buildFeeds({
    model: ctx.model, interventions: ivs, seq, rows, firstRow, batch, rng: ctx.rng,
    sourceVector: (iv, r, k) => {
      if (iv.constant) return iv.constant;
      if (iv.sourceIndex === null || !iv.sourceOffsets) return null;
      const ids = ctx.plan.sourceIds[iv.sourceIndex]!;
      const g = rowGeometry(iv.site.component, ctx.model.info.dims, ids[0]!.length);
      const rowSize = g.rowDims.reduce((a, b) => a * b, 1);
      const off = (ids.length === 1 ? 0 : r) * rowSize + rowOf(iv.sourceOffsets, r)[k]!;
      return sources[iv.sourceIndex]![iv.siteId]!.data.subarray(off, off + g.features);
    },
  }, ctx.terms);
}

function collectedValues(model: LoadedModel, plan: Plan, collected: Record<string, FloatTensor>): CollectedValue[] {
  const g0 = (iv: PlannedIntervention) => rowGeometry(iv.site.component, model.info.dims, plan.baseIds[0]!.length);
  return plan.interventions.filter((iv) => iv.type.slotKind === 'collect' && iv.target === 'base').flatMap((iv) => {
    const t = collected[iv.siteId]!;
    const g = g0(iv);
    const rowSize = g.rowDims.reduce((a, b) => a * b, 1);
    return Array.from({ length: plan.batch }, (_, r) => {
      const at = (plan.batch + r) * rowSize;
      const values = rowOf(iv.targetOffsets, r).map((off) => Array.from(t.data.subarray(at + off, at + off + g.features)));
      return { intervention: iv.index, site: iv.siteId, row: r, units: rowOf(iv.targetUnits, r), values };
    });
  });
}
