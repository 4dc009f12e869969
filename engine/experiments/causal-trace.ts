// Causal tracing (Meng et al. 2022) as ROME's experiments/causal_trace.py computes it: noise on the subject's token
// embeddings, and for every (kind, token, layer) cell the answer's probability when that state is restored to its
// clean value, averaged over the corrupted samples. Batched: many cells per onnxruntime run. Stage: experiments.
// Semantics, defaults, the JSON format and performance: docs/causal-tracing.md.
import { PatchbayError, isPatchbayError, throwIfAborted } from '../errors.js';
import type { LoadedModel } from '../load/load-model.js';
import type { FloatTensor } from '../runtime/tensor.js';
import type { TraceBackend } from './trace/backend.js';
import { batchedBackend } from './trace/batched-runner.js';
import { allCells, firstCorruptedToken, scoreGrid, type Cell } from './trace/cells.js';
import { makeNoise, type Noise, type NoiseReport } from './trace/noise.js';
import { resolveAnswer, resolveInputs, type TraceInputs, type TraceKind, type TraceOptions } from './trace/options.js';
import { checkTraceBudget } from './trace/budget-check.js';
import { answerProbability, argmax, rowBudget, type TraceStats } from './trace/run-common.js';
import { stagedBackend } from './trace/staged-runner.js';

export type { TraceKind, TraceOptions } from './trace/options.js';
export type { NoiseReport } from './trace/noise.js';
export type { TraceStats } from './trace/run-common.js';

export interface TraceProgress {
  stage: 'compile' | 'clean' | 'corrupt' | 'cells';
  done: number;
  total: number;
}

export interface TraceIo {
  onProgress?: (p: TraceProgress) => void;
  signal?: AbortSignal;
}

/** The trace, as the CLI writes it (snake_case, plain data). */
export interface TraceResult {
  tokens: string[];
  input_ids: number[];
  subject_range: [number, number];
  answer: { id: number; text: string | null };
  low_score: number;
  high_score: number;
  /** scores[kind][token][layer]: p(answer) with that state restored, averaged over the corrupted rows. */
  scores: Partial<Record<TraceKind, number[][]>>;
  noise: NoiseReport;
  kinds: TraceKind[];
  window: number;
  samples: number;
  stats: TraceStats & { seconds: number };
}

export async function causalTrace(model: LoadedModel, opts: TraceOptions, io: TraceIo = {}): Promise<TraceResult> {
  const started = performance.now();
  const inputs = resolveInputs(model, opts);
  checkTraceBudget(model.info.dims, { samples: inputs.samples, seq: inputs.ids.length, memoryBudgetMB: opts.memoryBudgetMB });
  const backend = await openBackend(model, opts, inputs, io);
  try {
    return { ...(await runTrace(model, opts, inputs, backend, io)), stats: { ...backend.stats, seconds: (performance.now() - started) / 1000 } };
  } finally {
    await backend.release();
  }
}

async function openBackend(model: LoadedModel, opts: TraceOptions, inputs: TraceInputs, io: TraceIo): Promise<TraceBackend> {
  const budget = rowBudget(model.info.dims, opts);
  const strategy = opts.strategy ?? 'auto';
  if (opts.batchRows !== undefined && (!Number.isInteger(opts.batchRows) || opts.batchRows < 1)) {
    throw new PatchbayError('TRACE_INVALID', `batch rows must be a whole number ≥ 1; got ${opts.batchRows}`, 'batchRows');
  }
  const batched = () => batchedBackend(model, { kinds: inputs.kinds, window: inputs.window, budget, signal: io.signal });
  if (strategy === 'batched') return batched();
  const total = model.info.dims.nLayers + 3;
  io.onProgress?.({ stage: 'compile', done: 0, total });
  try {
    return await stagedBackend(model, {
      budget, window: inputs.window, signal: io.signal,
      onCompile: (done) => io.onProgress?.({ stage: 'compile', done, total }),
    });
  } catch (e) {
    // Graphs without a per-layer key/value cache (legacy merged decoders) cannot be cut, and a stage onnxruntime
    // rejects is a cut gone wrong: trace those whole.
    if (strategy === 'auto' && isPatchbayError(e) && (e.code === 'CONFIG_UNSUPPORTED' || e.code === 'RUNTIME_FAILED')) return batched();
    throw e;
  }
}

async function runTrace(model: LoadedModel, opts: TraceOptions, inputs: TraceInputs, backend: TraceBackend, io: TraceIo): Promise<Omit<TraceResult, 'stats'>> {
  const { dModel: d, vocabSize: V, nLayers: n } = model.info.dims;
  const S = inputs.ids.length;
  const noise = await makeNoise(opts, inputs, d, (ids) => backend.tokenEmbeddings(ids));
  throwIfAborted(io.signal);
  io.onProgress?.({ stage: 'clean', done: 0, total: 1 });
  const cleanLogits = await backend.clean(inputs.ids);
  const answer = resolveAnswer(opts, model, argmax(cleanLogits, V));
  const high = answerProbability(cleanLogits, V, answer, 0, 1);
  io.onProgress?.({ stage: 'corrupt', done: 0, total: 1 });
  const corruptIds = Array.from({ length: inputs.samples }, () => inputs.replaceIds ?? inputs.ids);
  const low = answerProbability(await backend.corrupt(corruptIds, noiseDelta(noise, inputs, S, d)), V, answer, 0, inputs.samples);
  const grid = scoreGrid(inputs.kinds, S, n);
  const first = firstCorruptedToken(inputs.ids, inputs.subject, inputs.replaceIds);
  const byToken = new Map<number, Cell[]>();
  for (const cell of allCells(inputs.kinds, S, n)) {
    if (cell.token < first) grid.set(cell, low); // nothing before the corruption changes: restoring it is a no-op
    else byToken.set(cell.token, [...(byToken.get(cell.token) ?? []), cell]);
  }
  const total = [...byToken].reduce((sum, [t, cells]) => sum + backend.plannedBatches(t, cells), 0);
  let done = 0;
  io.onProgress?.({ stage: 'cells', done, total });
  for (const [t, cells] of byToken) {
    throwIfAborted(io.signal);
    await backend.cells(t, cells, answer, (cell, p) => grid.set(cell, p), () => io.onProgress?.({ stage: 'cells', done: ++done, total }));
  }
  return {
    tokens: inputs.tokens,
    input_ids: inputs.ids,
    subject_range: inputs.subject,
    answer: { id: answer, text: model.tokenizer ? model.tokenizer.decode([answer]) : null },
    low_score: low,
    high_score: high,
    scores: grid.result(),
    noise: noise.report,
    kinds: inputs.kinds,
    window: inputs.window,
    samples: inputs.samples,
  };
}

/** The noise as a token-embedding delta [samples, S, d]: zero outside the subject's tokens. */
function noiseDelta(noise: Noise, inputs: TraceInputs, S: number, d: number): FloatTensor | null {
  if (inputs.replaceIds) return null;
  const [b, e] = inputs.subject;
  const T = e - b;
  const R = inputs.samples;
  const data = new Float32Array(R * S * d);
  for (let r = 0; r < R; r++) data.set(noise.data.subarray(r * T * d, (r + 1) * T * d), (r * S + b) * d);
  return { data, dims: [R, S, d] };
}
