// Distributed alignment search (Geiger et al.; pyvene's LowRankRotatedSpaceIntervention): at each cell (layer,
// position) a rank-r subspace R (D×r, orthonormal columns) is trained so that swapping it in from the source run,
//   x' = x + mask ⊙ ((s − x)·R·Rᵀ),
// makes the base run predict the source's label. All cells train at once: one graph with a slot per layer, batch
// rows = cells × pairs, each row with its own R (u = R and vt = Rᵀ fed per row, [rows, D, r]). Adam on the Euclidean
// gradient, then the QR retraction back to orthonormal columns. Stage: experiments (training).
import type { LoadedModel } from '../load/load-model.js';
import { COMPONENT_INFO, type Component } from '../sites/components.js';
import { projectionValueNames, siteId, slotValueNames } from '../sites/site-id.js';
import type { SlotSpec } from '../compile/instrument.js';
import { graphCache } from '../compile/graph-cache.js';
import { forward } from '../run/forward.js';
import type { FloatTensor } from '../runtime/tensor.js';
import { PatchbayError } from '../errors.js';
import { Adam } from './adam.js';
import { seededRandom } from './linalg.js';
import { parametrization, projectionOf, type TrainableType } from './parametrizations.js';
import { cachedGradGraph, runGrad } from './grad-graph.js';
import { checkpoint } from '../util/yield.js';

export interface DasPair { base: number[]; source: number[]; baseLabel: number; sourceLabel: number }
/** A cell: a layer and a base token index (negative: from the end, −1 = each pair's last token). */
export interface DasCell { layer: number; position: number }

export interface DasProgress { step: number; steps: number; /** mean training loss per cell at this step */ loss: number[] }

export interface DasOptions {
  component?: Component;
  /** Default LowRankRotatedSpaceIntervention. */
  type?: TrainableType;
  rank?: number;
  steps?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  onProgress?: (p: DasProgress) => void;
  signal?: AbortSignal;
}

export interface TrainedCell extends DasCell {
  component: Component;
  type: TrainableType;
  /** Subspace dimension (low_rank_dimension / interchange_dim; the feature count for Boundless). */
  rank: number;
  /** The rotation, row-major [D, cols]: R (D×r) for LowRank (pyvene's rotate_layer.weight), D×D otherwise. */
  weight: Float32Array;
  weightCols: number;
  /** intervention_boundaries / temperature (Boundless), interchange_dim (RotatedSpace). */
  params: Record<string, number>;
  /** Mean training loss per step. */
  losses: number[];
}

const DEFAULTS = { component: 'block_output' as Component, type: 'LowRankRotatedSpaceIntervention' as TrainableType, rank: 1, steps: 100, batchSize: 16, lr: 0.01, seed: 0 };

function specsFor(layers: number[], component: Component): SlotSpec[] {
  return layers.map((layer) => ({ site: { layer, component }, kind: 'collect', projections: 1 }));
}

/** Site values at `layers` for token rows (all the same length), batched. */
export async function collectSites(model: LoadedModel, rows: number[][], layers: number[], component: Component, signal?: AbortSignal): Promise<Record<number, FloatTensor>> {
  const graph = await graphCache(model).get(specsFor(layers, component));
  const ids = layers.map((l) => siteId({ layer: l, component }));
  const parts: Record<string, FloatTensor[]> = {};
  for (let i = 0; i < rows.length; i += 64) {
    const res = await forward(model, graph, { ids: rows.slice(i, i + 64), collect: ids, logits: 'none', signal });
    for (const id of ids) (parts[id] ??= []).push(res.collected[id]!);
  }
  return Object.fromEntries(layers.map((l, k) => [l, concatRows(parts[ids[k]!]!)]));
}

function concatRows(ts: FloatTensor[]): FloatTensor {
  const rows = ts.reduce((a, t) => a + t.dims[0]!, 0);
  const data = new Float32Array(ts.reduce((a, t) => a + t.data.length, 0));
  let off = 0;
  for (const t of ts) { data.set(t.data, off); off += t.data.length; }
  return { data, dims: [rows, ...ts[0]!.dims.slice(1)] };
}

interface Uv { u: ArrayLike<number>; vt: ArrayLike<number> }

/** Slot feeds for rows = cells × pairs (cell-major): sources, masks at each row's cell, each row's R. */
function cellFeeds(cells: DasCell[], proj: Uv[], pick: number[], sources: Record<number, FloatTensor>,
  component: Component, dims: { seq: number; d: number; r: number }): Record<string, FloatTensor> {
  const { seq, d, r } = dims;
  const rows = cells.length * pick.length;
  const feeds: Record<string, FloatTensor> = {};
  for (const layer of new Set(cells.map((c) => c.layer))) {
    const id = siteId({ layer, component });
    const p = projectionValueNames(id, 0);
    const src = new Float32Array(rows * seq * d);
    const mask = new Float32Array(rows * seq);
    const u = new Float32Array(rows * d * r);
    const vt = new Float32Array(rows * r * d);
    cells.forEach((cell, c) => {
      if (cell.layer !== layer) return;
      const w = proj[c]!;
      pick.forEach((pair, j) => {
        const row = c * pick.length + j;
        src.set(sources[layer]!.data.subarray(pair * seq * d, (pair + 1) * seq * d), row * seq * d);
        mask[row * seq + (cell.position < 0 ? seq + cell.position : cell.position)] = 1;
        u.set(w.u, row * d * r);
        vt.set(w.vt, row * r * d);
      });
    });
    feeds[p.source] = { data: src, dims: [rows, seq, d] };
    feeds[p.mask] = { data: mask, dims: [rows, seq, 1] };
    feeds[p.u] = { data: u, dims: [rows, d, r] };
    feeds[p.vt] = { data: vt, dims: [rows, r, d] };
    feeds[slotValueNames(id).delta] = { data: new Float32Array(1), dims: [1] };
  }
  return feeds;
}

/** Features per token of a component; DAS runs on components laid out [batch, pos, features]. */
export function featureSize(model: LoadedModel, component: Component): number {
  const info = COMPONENT_INFO[component];
  if (info.layout !== 'bsd') throw new PatchbayError('TRAINING_INVALID', `DAS runs on per-token components (block_output, mlp_output, attention_output, …); ${component} is laid out per head`);
  return info.featureSize(model.info.dims);
}

/** Pairs grouped by token length (a batch needs one length); checks lengths, positions and layers. */
function groupPairs(pairs: DasPair[], cells: DasCell[], model: LoadedModel): DasPair[][] {
  if (pairs.length === 0) throw new PatchbayError('TRAINING_INVALID', 'no counterfactual pairs');
  const groups = new Map<number, DasPair[]>();
  for (const [i, p] of pairs.entries()) {
    if (p.base.length !== p.source.length) {
      throw new PatchbayError('TRAINING_INVALID', `pair ${i}: base and source must have the same number of tokens; found ${p.base.length} and ${p.source.length}`);
    }
    groups.set(p.base.length, [...(groups.get(p.base.length) ?? []), p]);
  }
  const shortest = Math.min(...groups.keys());
  for (const c of cells) {
    if (c.position >= shortest || c.position < -shortest) {
      throw new PatchbayError('LOCATION_OUT_OF_RANGE', `position ${c.position} is outside the tokens of the shortest pairs (${shortest} tokens: 0–${shortest - 1}, or −1 … −${shortest} from the end)`);
    }
    if (c.layer < 0 || c.layer >= model.info.dims.nLayers) throw new PatchbayError('LAYER_OUT_OF_RANGE', `layer ${c.layer} requested; the model has ${model.info.dims.nLayers} layers (0–${model.info.dims.nLayers - 1})`);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((k) => groups.get(k)!);
}

/** Trains one subspace intervention per cell on `pairs` (grouped by token length; each step samples one group). */
export async function trainDas(model: LoadedModel, cells: DasCell[], pairs: DasPair[], options: DasOptions = {}): Promise<TrainedCell[]> {
  const o = { ...DEFAULTS, ...options };
  const groups = groupPairs(pairs, cells, model);
  const d = featureSize(model, o.component);
  const param = parametrization(o.type, d, o.rank);
  const r = param.cols;
  const layers = [...new Set(cells.map((c) => c.layer))].sort((a, b) => a - b);
  const rnd = seededRandom(o.seed * 7919 + 17);
  const theta = cells.map(() => param.init(rnd));
  const sources: Record<number, FloatTensor>[] = [];
  for (const g of groups) sources.push(await collectSites(model, g.map((p) => p.source), layers, o.component, o.signal));
  const k = Math.min(o.batchSize, Math.max(...groups.map((g) => g.length)));
  const first = groups[0]!;
  const at0 = { step: 0, steps: o.steps };
  const example = { ids: new Array<number[]>(cells.length).fill(first[0]!.base), feeds: cellFeeds(cells, theta.map((t) => param.uv(t, at0)), [0], sources[0]!, o.component, { seq: first[0]!.base.length, d, r }) };
  const wrt = layers.flatMap((l) => { const p = projectionValueNames(siteId({ layer: l, component: o.component }), 0); return [p.u, p.vt]; });
  const gg = await cachedGradGraph(model, specsFor(layers, o.component), wrt, example);
  const adams = theta.map((t) => new Adam(t.length, { lr: o.lr }));
  const losses = cells.map(() => [] as number[]);
  const sampler = batchSampler(groups.map((g) => g.length), k, rnd);
  try {
    for (let step = 0; step < o.steps; step++) {
      await checkpoint(o.signal); // a turn for the event loop: a Cancel from the UI gets through between steps
      const at = { step, steps: o.steps };
      const { group, pick } = sampler();
      const pairsOf = groups[group]!;
      const seq = pairsOf[0]!.base.length;
      const ids = cells.flatMap(() => pick.map((i) => pairsOf[i]!.base));
      const labels = cells.flatMap(() => pick.map((i) => pairsOf[i]!.sourceLabel));
      const feeds = cellFeeds(cells, theta.map((t) => param.uv(t, at)), pick, sources[group]!, o.component, { seq, d, r });
      const res = await runGrad(model, gg, { ids, feeds, weights: rowWeights(ids.length, seq, model.info.dims.vocabSize, labels, pick.length), signal: o.signal });
      const rowLoss = rowLosses(res.logits, labels);
      cells.forEach((cell, c) => {
        const p = projectionValueNames(siteId({ layer: cell.layer, component: o.component }), 0);
        const [gu, gvt] = [sumRows(res.grads[p.u]!, c, pick.length), sumRows(res.grads[p.vt]!, c, pick.length)];
        adams[c]!.step(theta[c]!, param.grad(theta[c]!, gu, gvt, at));
        param.retract(theta[c]!); // QR retraction to orthonormal columns
        losses[c]!.push(mean(rowLoss.slice(c * pick.length, (c + 1) * pick.length)));
      });
      o.onProgress?.({ step: step + 1, steps: o.steps, loss: losses.map((l) => l[l.length - 1]!) });
    }
  } finally {
    gg.release();
  }
  return cells.map((cell, c) => {
    const e = param.export(theta[c]!, rnd);
    return { ...cell, component: o.component, type: o.type, rank: o.type === 'BoundlessRotatedSpaceIntervention' || o.type === 'SigmoidMaskIntervention' ? d : o.rank, weight: e.matrix, weightCols: e.cols, params: e.params, losses: losses[c]! };
  });
}

/** Batches of k pair indices from one length group at a time (groups drawn in proportion to their size), each
 *  group walked through in a fresh seeded order per epoch. */
function batchSampler(sizes: number[], k: number, rnd: () => number): () => { group: number; pick: number[] } {
  const orders = sizes.map((n) => shuffled(n, rnd));
  const cursors = sizes.map(() => 0);
  const total = sizes.reduce((a, b) => a + b, 0);
  return () => {
    let x = (rnd() + 0.5) * total;
    let group = 0;
    while (group < sizes.length - 1 && x >= sizes[group]!) x -= sizes[group++]!;
    const pick: number[] = [];
    const want = Math.min(k, sizes[group]!);
    while (pick.length < want) {
      if (cursors[group] === sizes[group]) { orders[group] = shuffled(sizes[group]!, rnd); cursors[group] = 0; }
      pick.push(orders[group]![cursors[group]!++]!);
    }
    return { group, pick };
  };
}

/** Interchange intervention accuracy per trained cell: the share of pairs whose intervened base run predicts the
 *  source label (argmax at the last position). */
export async function evaluateIia(model: LoadedModel, trained: TrainedCell[], pairs: DasPair[], signal?: AbortSignal): Promise<number[]> {
  if (trained.length === 0 || pairs.length === 0) return trained.map(() => NaN);
  const component = trained[0]!.component;
  const layers = [...new Set(trained.map((c) => c.layer))].sort((a, b) => a - b);
  const graph = await graphCache(model).get(specsFor(layers, component));
  const proj = trained.map((t) => projectionOf(t.type, t.weight, t.weight.length / t.weightCols, t.weightCols, t.params));
  const v = model.info.dims.vocabSize;
  const hits = trained.map(() => 0);
  const chunk = Math.max(1, Math.floor(256 / trained.length));
  for (const group of groupPairs(pairs, trained, model)) {
    const sources = await collectSites(model, group.map((p) => p.source), layers, component, signal);
    const dims = { seq: group[0]!.base.length, d: featureSize(model, component), r: proj[0]!.cols };
    for (let i = 0; i < group.length; i += chunk) {
      await checkpoint(signal);
      const pick = Array.from({ length: Math.min(chunk, group.length - i) }, (_, j) => i + j);
      const feeds = cellFeeds(trained, proj, pick, sources, component, dims);
      const res = await forward(model, graph, { ids: trained.flatMap(() => pick.map((p) => group[p]!.base)), feeds, logits: 'last', signal });
      trained.forEach((_, c) => pick.forEach((p, j) => {
        const row = c * pick.length + j;
        if (argmax(res.logits!.data.subarray(row * v, (row + 1) * v)) === group[p]!.sourceLabel) hits[c]!++;
      }));
    }
  }
  return hits.map((h) => h / pairs.length);
}

/** Σ over cell c's k rows of a per-row gradient [rows, …]. */
function sumRows(g: FloatTensor, c: number, k: number): Float64Array {
  const size = g.data.length / g.dims[0]!;
  const out = new Float64Array(size);
  for (let j = 0; j < k; j++) {
    const off = (c * k + j) * size;
    for (let i = 0; i < size; i++) out[i]! += g.data[off + i]!;
  }
  return out;
}

/** Loss weights: each row's source label at its last position, 1/k so every cell's loss is its own batch mean. */
function rowWeights(rows: number, seq: number, vocab: number, labels: number[], k: number): FloatTensor {
  const data = new Float32Array(rows * seq * vocab);
  labels.forEach((label, b) => { data[(b * seq + seq - 1) * vocab + label] = 1 / k; });
  return { data, dims: [rows, seq, vocab] };
}

function rowLosses(logits: FloatTensor, labels: number[]): number[] {
  const [b, s, v] = logits.dims as [number, number, number];
  return labels.slice(0, b).map((label, i) => {
    const row = logits.data.subarray((i * s + s - 1) * v, (i * s + s) * v);
    let m = -Infinity;
    for (const x of row) m = Math.max(m, x);
    let z = 0;
    for (const x of row) z += Math.exp(x - m);
    return -(row[label]! - m - Math.log(z));
  });
}

export function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export function shuffled(n: number, rnd: () => number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor((rnd() + 0.5) * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
