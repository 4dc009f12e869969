// Shared pieces of the trace runners: the answer probability averaged over corrupted rows, the memory budget that
// sizes batches, and the work counters a benchmark turns into FLOPs. Stage: runs (for the trace).
import type { ModelDims } from '../../model/model-types.js';

/** Work done, counted in rows: enough to compute FLOPs (see docs/causal-tracing.md). */
export interface TraceStats {
  strategy: 'staged' | 'batched';
  /** onnxruntime runs (batches), stage compilation excluded. */
  batches: number;
  /** Σ rows × tokens through one transformer block. */
  block_token_rows: number;
  /** Σ rows × tokens through a block's norm and key/value projection only (the staged runner's last block). */
  kv_token_rows: number;
  /** Σ rows × query tokens × key tokens in attention, summed over blocks. */
  attention_pairs: number;
  /** Σ rows × tokens through the final norm and unembedding. */
  head_rows: number;
}

export function emptyStats(strategy: TraceStats['strategy']): TraceStats {
  return { strategy, batches: 0, block_token_rows: 0, kv_token_rows: 0, attention_pairs: 0, head_rows: 0 };
}

/** Largest batch (rows) a run may have: 'block' = one block over `seq` new tokens after `past` cached ones,
 *  'head' = the unembedding of `seq` tokens, 'full' = the whole instrumented model over `seq` tokens. */
export type RowBudget = (stage: 'block' | 'head' | 'full', seq: number, past: number) => number;

export const DEFAULT_MEMORY_BUDGET_MB = 256;

export function rowBudget(dims: ModelDims, opts: { memoryBudgetMB?: number; batchRows?: number }): RowBudget {
  if (opts.batchRows !== undefined) {
    const rows = opts.batchRows;
    return () => rows;
  }
  const bytes = (opts.memoryBudgetMB ?? DEFAULT_MEMORY_BUDGET_MB) * 2 ** 20;
  return (stage, seq, past) => Math.max(1, Math.floor(bytes / bytesPerRow(dims, stage, seq, past)));
}

/** Rough peak bytes per batch row: feeds, fetched outputs and the activations onnxruntime holds at once. */
export function bytesPerRow(dims: ModelDims, stage: 'block' | 'head' | 'full', seq: number, past: number): number {
  const { dModel: d, dMlp, nHeads: H, vocabSize: V } = dims;
  const kv = past + seq;
  const block = seq * d * 16 + 2 * seq * dMlp + 4 * kv * d + 2 * H * seq * kv + seq;
  if (stage === 'block') return 4 * block;
  if (stage === 'head') return 4 * (seq * (2 * d + 2 * V));
  // whole model: one block's peak, slot feeds (delta, masks) and collected values, the last token's logits
  return 4 * (block + seq * d * 4 + 2 * V);
}

/** p(answer) under softmax, averaged over `count` rows of [rows, vocab] logits starting at row `first`. */
export function answerProbability(logits: Float32Array, vocab: number, answer: number, first: number, count: number): number {
  let total = 0;
  for (let r = first; r < first + count; r++) {
    const row = logits.subarray(r * vocab, (r + 1) * vocab);
    let max = -Infinity;
    for (let i = 0; i < vocab; i++) if (row[i]! > max) max = row[i]!;
    let sum = 0;
    for (let i = 0; i < vocab; i++) sum += Math.exp(row[i]! - max);
    total += Math.exp(row[answer]! - max) / sum;
  }
  return total / count;
}

/** Index of the largest logit of row 0. */
export function argmax(logits: Float32Array, vocab: number): number {
  let best = 0;
  for (let i = 1; i < vocab; i++) if (logits[i]! > logits[best]!) best = i;
  return best;
}
