// What the trace orchestrator needs from a way of running the model: token embeddings (for the noise std), the clean
// run, the corrupted run, and the cells of one token. Two implementations: staged-runner.ts (per-block stages,
// prefix reuse) and batched-runner.ts (the whole instrumented graph, cells as batch rows). Stage: runs.
import type { FloatTensor } from '../../runtime/tensor.js';
import type { Cell } from './cells.js';
import type { TraceStats } from './run-common.js';

export interface TraceBackend {
  readonly stats: TraceStats;
  /** Token embeddings (before position embeddings) of each id list, [len × d_model] each. */
  tokenEmbeddings(ids: number[][]): Promise<Float32Array[]>;
  /** The clean run over the prompt (one row); returns its last-position logits [vocab]. */
  clean(ids: number[]): Promise<Float32Array>;
  /** The corrupted run: `ids` rows, `delta` [rows, S, d] added to the token embeddings (null: none). Returns the
   *  last-position logits [rows, vocab]. Must follow clean(). */
  corrupt(ids: number[][], delta: FloatTensor | null): Promise<Float32Array>;
  /** How many runs cells() will make for these cells of one token (for progress). */
  plannedBatches(token: number, cells: Cell[]): number;
  /** Scores the cells of one token; calls onBatch after every run. */
  cells(token: number, cells: Cell[], answer: number, score: (cell: Cell, p: number) => void, onBatch: () => void): Promise<void>;
  release(): Promise<void>;
}
