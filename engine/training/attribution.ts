// Attribution patching (Nanda 2023; Syed et al. 2023): a first-order estimate of every (layer, position) activation
// patch from one clean forward, one corrupted forward and one backward pass,
//   effect(l, p) ≈ (a_clean − a_corrupt)[l, p] · ∂ log p(answer) / ∂a[l, p]   (gradient at the corrupted run),
// beside the exact patching sweep (the clean activation written into the corrupted run at one cell, all cells as the
// rows of one batched pass) and their agreement. Stage: experiments.
import type { LoadedModel } from '../load/load-model.js';
import { COMPONENT_INFO, type Component } from '../sites/components.js';
import { siteId, slotValueNames } from '../sites/site-id.js';
import type { SlotSpec } from '../compile/instrument.js';
import { graphCache } from '../compile/graph-cache.js';
import { forward } from '../run/forward.js';
import type { FloatTensor } from '../runtime/tensor.js';
import { PatchbayError, throwIfAborted } from '../errors.js';
import { collectSites } from './das.js';
import { cachedGradGraph, runGrad } from './grad-graph.js';

export interface AttributionOptions {
  component?: Component;
  exact?: boolean;
  onProgress?: (p: { phase: 'collect' | 'gradient' | 'exact' | 'done' }) => void;
  signal?: AbortSignal;
}

export interface AttributionResult {
  component: Component;
  /** [layer][position]: estimated change of log p(answer) when the clean activation is patched in. */
  estimate: number[][];
  /** [layer][position]: the exact change (when asked for). */
  exact?: number[][];
  /** Pearson correlation of estimate and exact over all cells. */
  correlation?: number;
  clean_logprob: number;
  corrupt_logprob: number;
  seconds: { estimate: number; exact?: number };
}

export async function attributionPatching(model: LoadedModel, clean: number[], corrupt: number[], answer: number, opts: AttributionOptions = {}): Promise<AttributionResult> {
  const component = opts.component ?? 'block_output';
  if (COMPONENT_INFO[component].layout !== 'bsd') throw new PatchbayError('TRAINING_INVALID', `attribution patching runs on per-token components; ${component} is per head`);
  if (clean.length !== corrupt.length) throw new PatchbayError('INPUT_INVALID', `clean and corrupted prompts must have the same number of tokens (${clean.length} vs ${corrupt.length})`);
  const layers = Array.from({ length: model.info.dims.nLayers }, (_, i) => i);
  const seq = clean.length;
  const d = COMPONENT_INFO[component].featureSize(model.info.dims);
  const t0 = performance.now();
  opts.onProgress?.({ phase: 'collect' });
  const acts = await collectSites(model, [clean, corrupt], layers, component, opts.signal);
  const specs: SlotSpec[] = layers.map((layer) => ({ site: { layer, component }, kind: 'affine' }));
  const zero: FloatTensor = { data: new Float32Array(1), dims: [1] };
  const feeds: Record<string, FloatTensor> = {};
  for (const l of layers) {
    const n = slotValueNames(siteId({ layer: l, component }));
    Object.assign(feeds, { [n.source]: zero, [n.mask]: zero, [n.delta]: { data: new Float32Array(seq * d), dims: [1, seq, d] } });
  }
  const wrt = layers.map((l) => slotValueNames(siteId({ layer: l, component })).delta);
  opts.onProgress?.({ phase: 'gradient' });
  const gg = await cachedGradGraph(model, specs, wrt, { ids: [corrupt], feeds });
  const weights: FloatTensor = { data: new Float32Array(seq * model.info.dims.vocabSize), dims: [1, seq, model.info.dims.vocabSize] };
  weights.data[(seq - 1) * model.info.dims.vocabSize + answer] = 1;
  let res;
  try {
    res = await runGrad(model, gg, { ids: [corrupt], feeds, weights, signal: opts.signal });
  } finally {
    gg.release();
  }
  // the loss is −log p(answer): its gradient is −∂ log p / ∂a
  const estimate = layers.map((l, li) => Array.from({ length: seq }, (_, p) => {
    const g = res.grads[wrt[li]!]!.data;
    const a = acts[l]!.data;
    let s = 0;
    for (let i = 0; i < d; i++) s -= (a[p * d + i]! - a[(seq + p) * d + i]!) * g[p * d + i]!;
    return s;
  }));
  const result: AttributionResult = { component, estimate, clean_logprob: NaN, corrupt_logprob: -res.loss, seconds: { estimate: (performance.now() - t0) / 1000 } };
  const t1 = performance.now();
  if (opts.exact) opts.onProgress?.({ phase: 'exact' });
  const sweep = await patchSweep(model, specs, clean, corrupt, answer, acts, 1, opts.signal);
  result.clean_logprob = sweep.clean;
  if (opts.exact) {
    result.exact = sweep.cells.map((row) => row.map((v) => v - sweep.corrupt));
    result.correlation = pearson(estimate.flat(), result.exact.flat());
    result.seconds.exact = (performance.now() - t1) / 1000;
  }
  opts.onProgress?.({ phase: 'done' });
  return result;
}

/**
 * log p(answer) of the corrupted run with x' = x + mask·(a_clean − x) at each single cell (layer, position), all
 * cells as rows of one pass, plus the unpatched corrupted and clean runs. mask = 1 is the exact patch; a small mask
 * gives the directional derivative the estimate approximates (tests).
 */
export async function patchSweep(model: LoadedModel, specs: SlotSpec[], clean: number[], corrupt: number[], answer: number,
  acts: Record<number, FloatTensor>, mask: number, signal?: AbortSignal): Promise<{ cells: number[][]; corrupt: number; clean: number }> {
  const component = specs[0]!.site.component;
  const layers = specs.map((s) => s.site.layer);
  const seq = clean.length;
  const d = acts[layers[0]!]!.dims[2]!;
  const rows = layers.length * seq + 2; // the cells, then the corrupted and the clean runs
  const feeds: Record<string, FloatTensor> = {};
  layers.forEach((l, li) => {
    const n = slotValueNames(siteId({ layer: l, component }));
    const source = new Float32Array(rows * seq * d);
    const m = new Float32Array(rows * seq);
    for (let p = 0; p < seq; p++) {
      const row = li * seq + p;
      source.set(acts[l]!.data.subarray(0, seq * d), row * seq * d);
      m[row * seq + p] = mask;
    }
    feeds[n.source] = { data: source, dims: [rows, seq, 1 * d] };
    feeds[n.mask] = { data: m, dims: [rows, seq, 1] };
  });
  throwIfAborted(signal);
  const graph = await graphCache(model).get(specs);
  const ids = [...new Array<number[]>(rows - 1).fill(corrupt), clean];
  const out = await forward(model, graph, { ids, feeds, logits: 'last', signal });
  const v = model.info.dims.vocabSize;
  const logp = (row: number) => {
    const z = out.logits!.data.subarray(row * v, (row + 1) * v);
    let m = -Infinity;
    for (const x of z) m = Math.max(m, x);
    let s = 0;
    for (const x of z) s += Math.exp(x - m);
    return z[answer]! - m - Math.log(s);
  };
  return { cells: layers.map((_, li) => Array.from({ length: seq }, (_, p) => logp(li * seq + p))), corrupt: logp(rows - 2), clean: logp(rows - 1) };
}

export function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((x, y) => x + y, 0) / n;
  const mb = b.reduce((x, y) => x + y, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { sab += (a[i]! - ma) * (b[i]! - mb); saa += (a[i]! - ma) ** 2; sbb += (b[i]! - mb) ** 2; }
  return sab / Math.sqrt(saa * sbb);
}

/**
 * The exact patch effect at chosen cells only ("verify the top cells"): the change of log p(answer) when the clean
 * activation is written into the corrupted run at (layer, position), each cell one row of a single batched pass.
 */
export async function exactCells(model: LoadedModel, clean: number[], corrupt: number[], answer: number, component: Component,
  cells: { layer: number; position: number }[], signal?: AbortSignal): Promise<number[]> {
  if (cells.length === 0) return [];
  if (clean.length !== corrupt.length) throw new PatchbayError('INPUT_INVALID', `clean and corrupted prompts must have the same number of tokens (${clean.length} vs ${corrupt.length})`);
  const seq = clean.length;
  for (const c of cells) {
    if (c.layer < 0 || c.layer >= model.info.dims.nLayers) throw new PatchbayError('LAYER_OUT_OF_RANGE', `layer ${c.layer} requested; the model has ${model.info.dims.nLayers} layers (0–${model.info.dims.nLayers - 1})`);
    if (c.position < 0 || c.position >= seq) throw new PatchbayError('LOCATION_OUT_OF_RANGE', `position ${c.position} is outside the prompt's ${seq} tokens`);
  }
  const layers = [...new Set(cells.map((c) => c.layer))].sort((a, b) => a - b);
  const acts = await collectSites(model, [clean], layers, component, signal);
  const d = acts[layers[0]!]!.dims[2]!;
  const rows = cells.length + 1; // the cells, then the unpatched corrupted run
  const feeds: Record<string, FloatTensor> = {};
  for (const l of layers) {
    const n = slotValueNames(siteId({ layer: l, component }));
    const source = new Float32Array(rows * seq * d);
    const m = new Float32Array(rows * seq);
    cells.forEach((c, row) => {
      if (c.layer !== l) return;
      source.set(acts[l]!.data.subarray(0, seq * d), row * seq * d);
      m[row * seq + c.position] = 1;
    });
    feeds[n.source] = { data: source, dims: [rows, seq, d] };
    feeds[n.mask] = { data: m, dims: [rows, seq, 1] };
  }
  throwIfAborted(signal);
  const graph = await graphCache(model).get(layers.map((layer) => ({ site: { layer, component }, kind: 'affine' })));
  const out = await forward(model, graph, { ids: new Array<number[]>(rows).fill(corrupt), feeds, logits: 'last', signal });
  const v = model.info.dims.vocabSize;
  const logp = (row: number) => logSoftmaxAt(out.logits!.data.subarray(row * v, (row + 1) * v), answer);
  const base = logp(rows - 1);
  return cells.map((_, row) => logp(row) - base);
}

function logSoftmaxAt(z: Float32Array, i: number): number {
  let m = -Infinity;
  for (const x of z) m = Math.max(m, x);
  let s = 0;
  for (const x of z) s += Math.exp(x - m);
  return z[i]! - m - Math.log(s);
}
