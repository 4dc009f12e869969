// The experiments the worker runs on the loaded model, by name: causal trace, intervention experiment, patching
// sweep, generation, DAS vs probes, attribution patching. Each takes (model, input, { onProgress, signal }) and returns plain data that survives structuredClone.
import type { LoadedModel } from '../../engine/load/load-model';
import { runExperiment, type ExperimentProgress, type ExperimentResult } from '../../engine/experiment/run-experiment';
import { validateExperiment } from '../../engine/experiment/experiment-schema';
import { softmax } from '../../engine/experiment/top-k';
import { PatchbayError } from '../../engine/errors';
import { patchingSweep, type SweepOptions, type SweepProgress, type SweepResult } from './sweep';
import { runTrace, type TraceInput, type TraceProgress, type TraceOutput } from './trace-op';
import { runGenerate } from './generate-op';
import { runDas } from './das-op';
import { runAttribution, runVerify } from './attribution-op';
import { runGru } from './gru-op';

interface Io<P> { onProgress: (p: P) => void; signal: AbortSignal }

/** One row of the next-token table: a token in either top-k, with its probability before and after. */
export interface TokenChange { id: number; token: string | null; before: number; after: number }

export type RunOutput = ExperimentResult & { table: TokenChange[] };

/** Runs the document; the next-token table covers both top-k lists with exact probabilities on both sides (the
 *  full logits are computed for it, and returned only if the document asked for them). */
async function run(model: LoadedModel, doc: unknown, io: Io<ExperimentProgress>): Promise<RunOutput> {
  const parsed = validateExperiment(doc);
  if (!parsed.ok) {
    const first = parsed.errors[0]!;
    throw new PatchbayError('EXPERIMENT_INVALID', `${parsed.errors.length} problem(s); first: ${first.message}`, first.path);
  }
  const keep = parsed.value.options.full_logits;
  const r = await runExperiment(model, { ...parsed.value, options: { ...parsed.value.options, full_logits: true } }, io);
  const before = softmax(r.original.logits!);
  const after = softmax(r.intervened.logits!);
  const names = new Map([...r.original.top_k, ...r.intervened.top_k].map((t) => [t.id, t.token]));
  const table = [...names].map(([id, token]) => ({ id, token, before: before[id]!, after: after[id]! }))
    .sort((a, b) => b.after - a.after || b.before - a.before);
  if (keep) return { ...r, table };
  const strip = <T extends { logits?: number[] }>(p: T): T => { const { logits: _drop, ...rest } = p; return rest as T; };
  return {
    ...r, table, original: strip(r.original), intervened: strip(r.intervened),
    ...(r.rows ? { rows: r.rows.map((row) => ({ ...row, original: strip(row.original), intervened: strip(row.intervened) })) } : {}),
  };
}

export const runOps = {
  trace: (model: LoadedModel, input: TraceInput, io: Io<TraceProgress>): Promise<TraceOutput> => runTrace(model, input, io),
  run,
  sweep: (model: LoadedModel, input: SweepOptions, io: Io<SweepProgress>): Promise<SweepResult> => patchingSweep(model, input, io),
  generate: runGenerate,
  das: runDas,
  attribution: runAttribution,
  verifyCells: runVerify,
  /** Time-step experiments on a recurrent network (the worker hands this op the GRU, the others a transformer). */
  gru: runGru,
};

export type RunOps = typeof runOps;
