// The batched causal trace: one compiled graph (the whole model with a noise slot at the token embedding and a
// restore slot at every traced site), cells as batch rows — each cell's `samples` corrupted rows carry the noise
// as delta and a mask of 1 at (restored layer, token). Works on any graph the site finder understands; the staged
// runner is faster where the graph can be cut. Stage: runs → results (for the trace).
import { graphCache } from '../../compile/graph-cache.js';
import type { SlotSpec } from '../../compile/instrument.js';
import { lastTokenLogits } from '../../compile/stages.js';
import type { LoadedModel } from '../../load/load-model.js';
import { forward } from '../../run/forward.js';
import type { FloatTensor } from '../../runtime/tensor.js';
import { siteId, slotValueNames } from '../../sites/site-id.js';
import type { TraceBackend } from './backend.js';
import { KIND_COMPONENT, restoredLayers, type Cell } from './cells.js';
import type { TraceKind } from './options.js';
import { answerProbability, emptyStats, type RowBudget } from './run-common.js';
import { chunk } from './schedule.js';
import { checkpoint } from '../../util/yield.js';

const TOKEN_EMBEDDING = siteId({ layer: 0, component: 'token_embedding' });

export async function batchedBackend(model: LoadedModel, o: { kinds: TraceKind[]; window: number; budget: RowBudget; signal?: AbortSignal }): Promise<TraceBackend> {
  const n = model.info.dims.nLayers;
  const V = model.info.dims.vocabSize;
  const specs: SlotSpec[] = [{ site: { layer: 0, component: 'token_embedding' }, kind: 'affine' }];
  for (const kind of o.kinds) for (let l = 0; l < n; l++) specs.push({ site: { layer: l, component: KIND_COMPONENT[kind] }, kind: 'affine' });
  // The model's whole graph would compute logits at every token; a trace needs the last token's only.
  const cache = graphCache(model);
  const graph = await cache.compiled('trace/batched', specs, () => lastTokenLogits(model.decoded.proto), { pin: true });
  const stats = emptyStats('batched');
  let clean: Record<string, FloatTensor> = {};
  let corruptIds: number[][] = [];
  let corruptDelta: FloatTensor | null = null;
  const count = (rows: number, seq: number) => {
    stats.batches++;
    stats.block_token_rows += rows * seq * n;
    stats.attention_pairs += rows * seq * seq * n;
    stats.head_rows += rows;
  };
  const rowsPerRun = () => Math.max(corruptIds.length, o.budget('full', corruptIds[0]!.length, 0));
  return {
    stats,
    async tokenEmbeddings(list) {
      const out: Float32Array[] = [];
      for (const ids of list.filter((l) => l.length > 0)) {
        out.push((await forward(model, graph, { ids: [ids], collect: [TOKEN_EMBEDDING], logits: 'none', signal: o.signal })).collected[TOKEN_EMBEDDING]!.data);
      }
      return out;
    },
    async clean(ids) {
      const sites = specs.slice(1).map((s) => siteId(s.site));
      const out = await forward(model, graph, { ids: [ids], collect: sites, logits: 'last', signal: o.signal });
      count(1, ids.length);
      clean = out.collected;
      return out.logits!.data;
    },
    async corrupt(ids, delta) {
      corruptIds = ids;
      corruptDelta = delta;
      const feeds = delta ? { [slotValueNames(TOKEN_EMBEDDING).delta]: delta } : undefined;
      const out = await forward(model, graph, { ids, feeds, logits: 'last', signal: o.signal });
      count(ids.length, ids[0]!.length);
      return out.logits!.data;
    },
    plannedBatches: (_t, cells) => chunk(cells, () => corruptIds.length, rowsPerRun()).length,
    async cells(t, cells, answer, score, onBatch) {
      const R = corruptIds.length;
      for (const part of chunk(cells, () => R, rowsPerRun())) {
        await checkpoint(o.signal);
        const feeds = cellFeeds(model, part, t, o.window, R, corruptIds[0]!.length, clean, corruptDelta);
        const ids = part.flatMap(() => corruptIds);
        const out = await forward(model, graph, { ids, feeds, logits: 'last', signal: o.signal });
        count(ids.length, ids[0]!.length);
        part.forEach((cell, i) => score(cell, answerProbability(out.logits!.data, V, answer, i * R, R)));
        onBatch();
      }
    },
    release: async () => cache.unpin(graph),
  };
}

/** Feeds for a batch of cells of token t: the noise tiled per cell, and per restored site a mask of 1 at token t in
 *  the rows of the cells that restore it, with the clean value as the source. */
function cellFeeds(model: LoadedModel, cells: Cell[], t: number, window: number, R: number, seq: number,
  clean: Record<string, FloatTensor>, delta: FloatTensor | null): Record<string, FloatTensor> {
  const rows = cells.length * R;
  const feeds: Record<string, FloatTensor> = {};
  if (delta) {
    const data = new Float32Array(rows * delta.data.length / R);
    for (let c = 0; c < cells.length; c++) data.set(delta.data, c * delta.data.length);
    feeds[slotValueNames(TOKEN_EMBEDDING).delta] = { data, dims: [rows, ...delta.dims.slice(1)] };
  }
  cells.forEach((cell, c) => {
    for (const layer of restoredLayers(cell, window, model.info.dims.nLayers)) {
      const id = siteId({ layer, component: KIND_COMPONENT[cell.kind] });
      const names = slotValueNames(id);
      feeds[names.mask] ??= { data: new Float32Array(rows * seq), dims: [rows, seq, 1] };
      feeds[names.source] ??= clean[id]!;
      for (let r = 0; r < R; r++) feeds[names.mask]!.data[(c * R + r) * seq + t] = 1;
    }
  });
  return feeds;
}

