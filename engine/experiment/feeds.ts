// Slot feeds for one run: every planned intervention that targets this run writes its locations into the slot
// inputs of its site (affine mask/source, a projection term, or the skip mask) for each row of the batch, starting
// at a chosen batch row; other rows stay neutral. Stage: plan → runs.
import type { LoadedModel } from '../load/load-model.js';
import { jointProjectionValueNames, projectionValueNames, slotValueNames } from '../sites/site-id.js';
import { COMPONENT_INFO } from '../sites/components.js';
import type { FloatTensor } from '../runtime/tensor.js';
import type { Rng } from '../util/random.js';
import type { Projection } from '../interventions/basis.js';
import { rowOf, type PlannedIntervention } from './plan.js';
import { rowGeometry } from '../sites/row-geometry.js';

export interface FeedRequest {
  model: LoadedModel;
  interventions: PlannedIntervention[];
  /** Tokens per row of the run (the target input). */
  seq: number;
  /** Rows of the run. */
  rows: number;
  /** The run's row that carries batch row 0; batch row r goes to firstRow + r. */
  firstRow: number;
  batch: number;
  /** The source's feature vector paired with the k-th location of batch row r (null for sourceless types). */
  sourceVector: (iv: PlannedIntervention, row: number, k: number) => Float32Array | null;
  rng: Rng;
}

/** Projection term numbers per intervention, counted per site (joint and per-unit terms separately). */
export function projectionTerms(ivs: PlannedIntervention[]): Map<PlannedIntervention, number> {
  const count = new Map<string, number>();
  const terms = new Map<PlannedIntervention, number>();
  for (const iv of ivs) {
    if (iv.type.slotKind !== 'projected') continue;
    const key = `${iv.siteId}:${iv.joint}`;
    const t = count.get(key) ?? 0;
    terms.set(iv, t);
    count.set(key, t + 1);
  }
  return terms;
}

export function buildFeeds(req: FeedRequest, terms: Map<PlannedIntervention, number>): Record<string, FloatTensor> {
  const feeds: Record<string, FloatTensor> = {};
  for (const iv of req.interventions) {
    const kind = iv.type.slotKind;
    if (kind === 'collect') continue;
    const g = rowGeometry(iv.site.component, req.model.info.dims, req.seq);
    const rowSize = g.rowDims.reduce((a, b) => a * b, 1);
    const full = (name: string) => (feeds[name] ??= { data: new Float32Array(req.rows * rowSize), dims: [req.rows, ...g.rowDims] });
    const names = slotValueNames(iv.siteId);
    let maskName = names.mask;
    let sourceName = names.source;
    if (kind === 'projected') {
      const p = (iv.joint ? jointProjectionValueNames : projectionValueNames)(iv.siteId, terms.get(iv)!);
      maskName = p.mask;
      sourceName = p.source;
      Object.assign(feeds, iv.joint ? jointFeeds(req, iv, p, g.size, g.features) : projectionFeeds(req, iv, p, g.features));
    } else if (kind === 'skip') {
      maskName = names.skipMask;
    }
    const mask = full(maskName);
    const source = kind === 'skip' ? null : full(sourceName);
    const delta = full(names.delta);
    const scratch = new Float32Array(g.features);
    for (let r = 0; r < req.batch; r++) {
      rowOf(iv.targetOffsets, r).forEach((offset, k) => {
        const at = (req.firstRow + r) * rowSize + offset;
        iv.type.write({
          feeds: {
            mask: mask.data.subarray(at, at + g.features),
            source: source ? source.data.subarray(at, at + g.features) : scratch,
            delta: delta.data.subarray(at, at + g.features),
          },
          source: req.sourceVector(iv, r, k), subspace: rowOf(iv.subspace, r), params: iv.params, gaussian: req.rng.gaussian, location: k,
        });
      });
    }
  }
  return feeds;
}

/** The (u, vt) inputs of a projection term: one shared basis, or one per row (zero-padded to the widest). */
function projectionFeeds(req: FeedRequest, iv: PlannedIntervention, names: { u: string; vt: string }, F: number): Record<string, FloatTensor> {
  const per = iv.projection!;
  if (per.length === 1) {
    const p = per[0]!;
    return { [names.u]: { data: p.u, dims: [F, p.k] }, [names.vt]: { data: p.vt, dims: [p.k, F] } };
  }
  const k = Math.max(...per.map((p) => p.k));
  const u = new Float32Array(req.rows * F * k);
  const vt = new Float32Array(req.rows * k * F);
  per.forEach((p: Projection, r) => {
    const row = req.firstRow + r;
    for (let f = 0; f < F; f++) for (let j = 0; j < p.k; j++) u[(row * F + f) * k + j] = p.u[f * p.k + j]!;
    vt.set(p.vt, row * k * F); // rows j ≥ p.k stay zero
  });
  // Batched MatMul: [R, F, k] against [R, S, F]; four-axis layouts need a head axis to broadcast over.
  const lead = COMPONENT_INFO[iv.site.component].layout === 'bsd' ? [req.rows] : [req.rows, 1];
  return { [names.u]: { data: u, dims: [...lead, F, k] }, [names.vt]: { data: vt, dims: [...lead, k, F] } };
}

/** A joint term's (u, vt) over a flattened row of N elements: unit j's features sit at its location's offset. */
function jointFeeds(req: FeedRequest, iv: PlannedIntervention, names: { u: string; vt: string }, N: number, F: number): Record<string, FloatTensor> {
  const shared = iv.projection!.length === 1 && iv.targetOffsets.length === 1;
  const rows = shared ? 1 : req.batch;
  const k = Math.max(...iv.projection!.map((p) => p.k));
  const R = shared ? 1 : req.rows;
  const u = new Float32Array(R * N * k);
  const vt = new Float32Array(R * k * N);
  for (let r = 0; r < rows; r++) {
    const p = rowOf(iv.projection!, r);
    const width = p.u.length / p.k; // units × F
    const at = shared ? 0 : req.firstRow + r;
    rowOf(iv.targetOffsets, r).forEach((offset, j) => {
      for (let f = 0; f < F; f++) {
        for (let c = 0; c < p.k; c++) {
          u[(at * N + offset + f) * k + c] = p.u[(j * F + f) * p.k + c]!;
          vt[(at * k + c) * N + offset + f] = p.vt[c * width + j * F + f]!;
        }
      }
    });
  }
  return shared
    ? { [names.u]: { data: u, dims: [N, k] }, [names.vt]: { data: vt, dims: [k, N] } }
    : { [names.u]: { data: u, dims: [R, N, k] }, [names.vt]: { data: vt, dims: [R, k, N] } };
}
