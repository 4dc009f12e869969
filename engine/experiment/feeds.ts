// Slot feeds for one run: every planned intervention that targets this run writes its locations into the slot
// inputs of its site (affine mask/source, a projection term, or the skip mask), in one chosen batch row; other rows
// stay neutral. Stage: plan → runs.
import type { LoadedModel } from '../model/load-model.js';
import { projectionValueNames, slotValueNames } from '../sites/site-id.js';
import type { FloatTensor } from '../runtime/tensor.js';
import type { Rng } from '../util/random.js';
import type { PlannedIntervention } from './plan.js';
import { rowGeometry } from './site-geometry.js';

export interface FeedRequest {
  model: LoadedModel;
  interventions: PlannedIntervention[];
  /** Tokens of the run (the target input). */
  seq: number;
  rows: number;
  /** The batch row that carries the interventions. */
  row: number;
  /** The source's feature vector paired with the k-th target location (null for sourceless types). */
  sourceVector: (iv: PlannedIntervention, k: number) => Float32Array | null;
  rng: Rng;
}

/** Projection term numbers, per intervention, in site order (the compiled graph has one term per projected type). */
export function projectionTerms(ivs: PlannedIntervention[]): Map<PlannedIntervention, number> {
  const count = new Map<string, number>();
  const terms = new Map<PlannedIntervention, number>();
  for (const iv of ivs) {
    if (iv.type.slotKind !== 'projected') continue;
    const t = count.get(iv.siteId) ?? 0;
    terms.set(iv, t);
    count.set(iv.siteId, t + 1);
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
      const p = projectionValueNames(iv.siteId, terms.get(iv)!);
      maskName = p.mask;
      sourceName = p.source;
      feeds[p.u] = { data: iv.projection!.u, dims: [g.features, iv.projection!.k] };
      feeds[p.vt] = { data: iv.projection!.vt, dims: [iv.projection!.k, g.features] };
    } else if (kind === 'skip') {
      maskName = names.skipMask;
    }
    const mask = full(maskName);
    const source = kind === 'skip' ? null : full(sourceName);
    const delta = full(names.delta);
    const scratch = new Float32Array(g.features);
    iv.targetOffsets.forEach((offset, k) => {
      const at = req.row * rowSize + offset;
      iv.type.write({
        feeds: {
          mask: mask.data.subarray(at, at + g.features),
          source: source ? source.data.subarray(at, at + g.features) : scratch,
          delta: delta.data.subarray(at, at + g.features),
        },
        source: req.sourceVector(iv, k), subspace: iv.subspace, params: iv.params, gaussian: req.rng.gaussian, location: k,
      });
    });
  }
  return feeds;
}
