// The staged causal trace: a clean run and a corrupted run through the per-block stages, keeping every layer's
// residual and the corrupted keys/values; then, token by token, the branch trees of schedule.ts run from their
// first restored layer on, over the tokens from the restored one on, with the corrupted keys/values as the past.
// Stage: runs → results (for the trace).
import type { LoadedModel } from '../../load/load-model.js';
import type { FloatTensor } from '../../runtime/tensor.js';
import type { Cell } from './cells.js';
import { chunk, freshSegments, layerBatches, leaves, tokenRoots, type Root, type Segment } from './schedule.js';
import { ANSWER_PROBABILITY, EMBED_OUTPUT } from '../../compile/stages.js';
import { compileStages } from '../../compile/staged-graphs.js';
import { runStage, stageSlot, type StagedGraphs } from './staged-model.js';
import { emptyStats, type RowBudget, type TraceStats } from './run-common.js';
import type { TraceBackend } from './backend.js';
import { checkpoint } from '../../util/yield.js';

export interface StagedContext {
  model: LoadedModel;
  staged: StagedGraphs;
  budget: RowBudget;
  stats: TraceStats;
  signal?: AbortSignal;
}

/** A full-length run's residuals: resid[ℓ] enters block ℓ, resid[n] leaves the last block; [rows, S, d] each. */
export interface FullRun {
  rows: number;
  resid: Float32Array[];
  /** Per layer [rows, heads, S, d_head] (corrupted run only). */
  keys: Float32Array[];
  values: Float32Array[];
  /** Per layer, the attention and MLP outputs [rows, S, d] (clean run only). */
  sites: Record<'attention_output' | 'mlp_output', Float32Array[]>;
  /** [rows, vocab] at the last position. */
  lastLogits: Float32Array;
}

/** Runs the whole prompt through every stage; `delta` [rows, S, d] is added to the token embeddings. */
export async function fullRun(ctx: StagedContext, ids: number[][], delta: FloatTensor | null, keepKv: boolean): Promise<FullRun> {
  const { model, staged } = ctx;
  const n = model.info.dims.nLayers;
  const rows = ids.length;
  const slots = delta ? { [stageSlot(0, 'token_embedding').delta]: delta } : undefined;
  const emb = await runStage(model, staged, staged.embed, { ids, pastLength: 0, slots, fetch: [EMBED_OUTPUT] });
  const run: FullRun = { rows, resid: [emb[EMBED_OUTPUT]!.data], keys: [], values: [], sites: { attention_output: [], mlp_output: [] }, lastLogits: new Float32Array(0) };
  for (let l = 0; l < n; l++) {
    await checkpoint(ctx.signal);
    const present = staged.names.present(l);
    const sites = (['attention_output', 'mlp_output'] as const).map((c) => stageSlot(l, c).value);
    const out = await runStage(model, staged, staged.blocks[l]!, {
      ids, pastLength: 0, resid: { data: run.resid[l]!, dims: [rows, ids[0]!.length, model.info.dims.dModel] },
      fetch: [staged.names.residual[l + 1]!, ...(keepKv ? [present.key, present.value] : sites)],
    });
    ctx.stats.block_token_rows += rows * ids[0]!.length;
    ctx.stats.attention_pairs += rows * ids[0]!.length ** 2;
    ctx.stats.batches++;
    run.resid.push(out[staged.names.residual[l + 1]!]!.data);
    if (keepKv) {
      run.keys.push(out[present.key]!.data);
      run.values.push(out[present.value]!.data);
    } else {
      run.sites.attention_output.push(out[sites[0]!]!.data);
      run.sites.mlp_output.push(out[sites[1]!]!.data);
    }
  }
  run.lastLogits = await headLogits(ctx, lastPositions(run.resid[n]!, rows, ids[0]!.length, model.info.dims.dModel), rows);
  return run;
}

async function headLogits(ctx: StagedContext, last: Float32Array, rows: number): Promise<Float32Array> {
  const { model, staged } = ctx;
  const out = await runStage(model, staged, staged.head, {
    ids: zeros(rows, 1), pastLength: 0, resid: { data: last, dims: [rows, 1, model.info.dims.dModel] }, fetch: ['logits'],
  });
  ctx.stats.head_rows += rows;
  ctx.stats.batches++;
  return out.logits!.data;
}

/** p(answer) of each row of last-token residuals [rows, d], computed in the head graph. */
async function headProbabilities(ctx: StagedContext, last: Float32Array, rows: number, answer: number): Promise<Float32Array> {
  const { model, staged } = ctx;
  const out = await runStage(model, staged, staged.head, {
    ids: zeros(rows, 1), pastLength: 0, answer, resid: { data: last, dims: [rows, 1, model.info.dims.dModel] }, fetch: [ANSWER_PROBABILITY],
  });
  ctx.stats.head_rows += rows;
  ctx.stats.batches++;
  return out[ANSWER_PROBABILITY]!.data;
}

/** [rows, S, d] → [rows, d] at the last position. */
function lastPositions(resid: Float32Array, rows: number, seq: number, d: number): Float32Array {
  const out = new Float32Array(rows * d);
  for (let r = 0; r < rows; r++) out.set(resid.subarray(((r + 1) * seq - 1) * d, (r + 1) * seq * d), r * d);
  return out;
}

function zeros(rows: number, seq: number): number[][] {
  return Array.from({ length: rows }, () => new Array<number>(seq).fill(0));
}

interface Live { seg: Segment; resid: Float32Array }

/**
 * Scores every cell of one token t: runs the branch trees layer by layer, each layer's live branches batched
 * (row = branch × corrupted sample), then the head on the leaves' last position. `score(cell, p)` receives the
 * answer probability averaged over the corrupted rows.
 */
export async function traceToken(ctx: StagedContext, t: number, cells: Cell[], window: number, clean: FullRun, corrupt: FullRun,
  answer: number, score: (cell: Cell, p: number) => void, onBatch: () => void): Promise<void> {
  const { model } = ctx;
  const { nLayers: n, dModel: d } = model.info.dims;
  const seq = clean.resid[0]!.length / d;
  const local = seq - t;
  const R = corrupt.rows;
  const roots = tokenRoots(cells, window, n);
  const fresh = freshSegments(roots);
  const live = new Map<Segment, Float32Array>();
  for (let l = 0; l <= n; l++) {
    for (const root of roots.filter((r) => r.from === l)) live.set(root, rootResid(root, l, t, clean, corrupt, seq, d));
    for (const [seg, resid] of [...live]) {
      if (seg.to !== l || seg.children.length === 0) continue;
      live.delete(seg);
      seg.children.forEach((c, i) => live.set(c, i === 0 ? resid : resid.slice()));
    }
    if (l === n) break;
    const batches = layerBatches(roots, fresh, l, R, ctx.budget('block', 1, t), ctx.budget('block', local, t));
    const withResid = (part: Segment[]) => part.map((seg) => ({ seg, resid: live.get(seg)! }));
    for (const part of batches.fresh) {
      await checkpoint(ctx.signal);
      await runBlock(ctx, l, t, withResid(part), clean, corrupt, true);
      onBatch();
    }
    for (const part of batches.rest) {
      await checkpoint(ctx.signal);
      if (l === n - 1 && local > 1) await runLastBlock(ctx, t, withResid(part), corrupt);
      else await runBlock(ctx, l, t, withResid(part), clean, corrupt, false);
      onBatch(); // the last block's two runs count as one batch
    }
  }
  const ends = leaves(roots).map((seg) => ({ seg, resid: live.get(seg)! }));
  for (const part of chunk(ends, () => R, ctx.budget('head', 1, 0))) {
    await checkpoint(ctx.signal);
    const last = new Float32Array(part.length * R * d);
    part.forEach((b, i) => last.set(lastPositions(b.resid, R, local, d), i * R * d));
    const p = await headProbabilities(ctx, last, part.length * R, answer);
    part.forEach((b, i) => {
      let sum = 0;
      for (let r = 0; r < R; r++) sum += p[i * R + r]!;
      for (const cell of b.seg.cells) score(cell, sum / R);
    });
    onBatch();
  }
}

/** A root's residual entering layer l over tokens t..: the corrupted one, with token t set to the clean block
 *  output for a resid cell. */
function rootResid(root: Root, l: number, t: number, clean: FullRun, corrupt: FullRun, seq: number, d: number): Float32Array {
  const R = corrupt.rows;
  const local = seq - t;
  const src = corrupt.resid[l]!;
  const out = new Float32Array(R * local * d);
  for (let r = 0; r < R; r++) out.set(src.subarray((r * seq + t) * d, (r + 1) * seq * d), r * local * d);
  if (root.init.kind === 'resid') {
    const cleanVec = clean.resid[root.init.layer + 1]!.subarray(t * d, (t + 1) * d);
    for (let r = 0; r < R; r++) out.set(cleanVec, r * local * d);
  }
  return out;
}

/** One block over the live branches of a batch. `fresh` branches (see freshSegments) run token t alone. */
async function runBlock(ctx: StagedContext, l: number, t: number, part: Live[], clean: FullRun, corrupt: FullRun, fresh: boolean): Promise<void> {
  const { model, staged } = ctx;
  const { dModel: d, nHeads: H, dHead } = model.info.dims;
  const R = corrupt.rows;
  const seq = clean.resid[0]!.length / d;
  const local = seq - t;
  const width = fresh ? 1 : local;
  const rows = part.length * R;
  const resid = new Float32Array(rows * width * d);
  part.forEach((b, i) => {
    if (!fresh) resid.set(b.resid, i * R * local * d);
    else for (let r = 0; r < R; r++) resid.set(b.resid.subarray(r * local * d, (r * local + 1) * d), (i * R + r) * d);
  });
  const past = t > 0 ? { key: pastRows(corrupt.keys[l]!, part.length, R, H, seq, t, dHead), value: pastRows(corrupt.values[l]!, part.length, R, H, seq, t, dHead) } : undefined;
  const out = await runStage(model, staged, staged.blocks[l]!, {
    ids: zeros(rows, width), pastLength: t, past, slots: restoreSlots(l, t, part, R, width, d, clean), fetch: [staged.names.residual[l + 1]!],
    resid: { data: resid, dims: [rows, width, d] },
  });
  ctx.stats.batches++;
  ctx.stats.block_token_rows += rows * width;
  ctx.stats.attention_pairs += rows * width * (t + width);
  const next = out[staged.names.residual[l + 1]!]!.data;
  part.forEach((b, i) => {
    if (!fresh) { b.resid.set(next.subarray(i * R * local * d, (i + 1) * R * local * d)); return; }
    const after = corrupt.resid[l + 1]!;
    for (let r = 0; r < R; r++) {
      b.resid.set(after.subarray((r * seq + t) * d, (r + 1) * seq * d), r * local * d);
      b.resid.set(next.subarray((i * R + r) * d, (i * R + r + 1) * d), r * local * d);
    }
  });
}

/** Slot feeds restoring the clean attention / MLP output at token t (local position 0) in the branches that ask. */
function restoreSlots(l: number, t: number, part: Live[], R: number, width: number, d: number, clean: FullRun): Record<string, FloatTensor> {
  const slots: Record<string, FloatTensor> = {};
  const rows = part.length * R;
  for (const component of ['attention_output', 'mlp_output'] as const) {
    const restoring = part.map((b) => b.seg.restores[l - b.seg.from] === component);
    if (!restoring.some(Boolean)) continue;
    const names = stageSlot(l, component);
    const mask = new Float32Array(rows * width);
    restoring.forEach((on, i) => { if (on) for (let r = 0; r < R; r++) mask[(i * R + r) * width] = 1; });
    slots[names.mask] = { data: mask, dims: [rows, width, 1] };
    slots[names.source] = { data: clean.sites[component][l]!.slice(t * d, (t + 1) * d), dims: [1, 1, d] };
  }
  return slots;
}

/**
 * The last block, where only the last token's output matters: keys and values of tokens t..S−2 from the lastKv stage
 * (after the corrupted past of tokens 0..t−1), then the block on the last token alone. Restores at token t < S−1
 * change only token t's output of this block, never reaching the last token, so they are left out.
 */
async function runLastBlock(ctx: StagedContext, t: number, part: Live[], corrupt: FullRun): Promise<void> {
  const { model, staged } = ctx;
  const { dModel: d, nHeads: H, dHead, nLayers: n } = model.info.dims;
  const R = corrupt.rows;
  const seq = corrupt.resid[0]!.length / (R * d);
  const local = seq - t;
  const rows = part.length * R;
  const before = new Float32Array(rows * (local - 1) * d);
  const last = new Float32Array(rows * d);
  part.forEach((b, i) => {
    for (let r = 0; r < R; r++) {
      const row = b.resid.subarray(r * local * d, (r + 1) * local * d);
      before.set(row.subarray(0, (local - 1) * d), (i * R + r) * (local - 1) * d);
      last.set(row.subarray((local - 1) * d), (i * R + r) * d);
    }
  });
  const present = staged.names.present(n - 1);
  const past = t > 0 ? { key: pastRows(corrupt.keys[n - 1]!, part.length, R, H, seq, t, dHead), value: pastRows(corrupt.values[n - 1]!, part.length, R, H, seq, t, dHead) } : undefined;
  const kv = await runStage(model, staged, staged.lastKv, {
    ids: zeros(rows, local - 1), pastLength: t, past, resid: { data: before, dims: [rows, local - 1, d] }, fetch: [present.key, present.value],
  });
  const out = await runStage(model, staged, staged.blocks[n - 1]!, {
    ids: zeros(rows, 1), pastLength: seq - 1, past: { key: kv[present.key]!, value: kv[present.value]! },
    resid: { data: last, dims: [rows, 1, d] }, fetch: [staged.names.residual[n]!],
  });
  ctx.stats.batches += 2;
  ctx.stats.kv_token_rows += rows * (local - 1);
  ctx.stats.block_token_rows += rows;
  ctx.stats.attention_pairs += rows * seq;
  const next = out[staged.names.residual[n]!]!.data;
  part.forEach((b, i) => {
    for (let r = 0; r < R; r++) b.resid.set(next.subarray((i * R + r) * d, (i * R + r + 1) * d), ((r + 1) * local - 1) * d);
  });
}

/** The corrupted keys (or values) of tokens 0..t−1, [R, H, S, Dh] → [copies × R, H, t, Dh]. */
function pastRows(kv: Float32Array, copies: number, R: number, H: number, seq: number, t: number, dHead: number): FloatTensor {
  const one = new Float32Array(R * H * t * dHead);
  for (let r = 0; r < R; r++) {
    for (let h = 0; h < H; h++) {
      const from = ((r * H + h) * seq) * dHead;
      one.set(kv.subarray(from, from + t * dHead), ((r * H + h) * t) * dHead);
    }
  }
  const data = new Float32Array(copies * one.length);
  for (let c = 0; c < copies; c++) data.set(one, c * one.length);
  return { data, dims: [copies * R, H, t, dHead] };
}


/** The staged backend: takes the stages from the model's graph cache (compiling them on the first trace) and keeps
 *  the clean and corrupted runs for the cells. */
export async function stagedBackend(model: LoadedModel, o: { budget: RowBudget; window: number; signal?: AbortSignal;
  onCompile?: (done: number, total: number) => void }): Promise<TraceBackend> {
  const staged = await compileStages(model, { onStage: o.onCompile, signal: o.signal });
  const ctx: StagedContext = { model, staged, budget: o.budget, stats: emptyStats('staged'), signal: o.signal };
  const n = model.info.dims.nLayers;
  let clean: FullRun | undefined;
  let corrupt: FullRun | undefined;
  return {
    stats: ctx.stats,
    async tokenEmbeddings(list) {
      const name = stageSlot(0, 'token_embedding').value;
      const out: Float32Array[] = [];
      for (const ids of list) {
        if (ids.length === 0) continue;
        out.push((await runStage(model, staged, staged.embed, { ids: [ids], pastLength: 0, fetch: [name] }))[name]!.data);
      }
      return out;
    },
    async clean(ids) {
      clean = await fullRun(ctx, [ids], null, false);
      return clean.lastLogits;
    },
    async corrupt(ids, delta) {
      corrupt = await fullRun(ctx, ids, delta, true);
      return corrupt.lastLogits;
    },
    plannedBatches(t, cells) {
      const R = corrupt!.rows;
      const seq = clean!.resid[0]!.length / model.info.dims.dModel;
      const roots = tokenRoots(cells, o.window, n);
      const fresh = freshSegments(roots);
      let total = chunk(leaves(roots), () => R, o.budget('head', 1, 0)).length;
      for (let l = 0; l < n; l++) {
        const b = layerBatches(roots, fresh, l, R, o.budget('block', 1, t), o.budget('block', seq - t, t));
        total += b.fresh.length + b.rest.length;
      }
      return total;
    },
    cells: (t, cells, answer, score, onBatch) => traceToken(ctx, t, cells, o.window, clean!, corrupt!, answer, score, onBatch),
    release: async () => staged.release(),
  };
}
