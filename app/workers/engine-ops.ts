// The experiments the worker runs on the loaded model, by name: causal trace, intervention experiment, patching
// sweep. Each takes (model, input, { onProgress, signal }) and returns plain data that survives structuredClone.
import type { LoadedModel } from '../../engine/model/load-model';
import { runExperiment, type ExperimentProgress, type ExperimentResult } from '../../engine/experiment/run-experiment';
import { validateExperiment } from '../../engine/experiment/experiment-schema';
import { PatchbayError } from '../../engine/errors';
import { patchingSweep, type SweepOptions, type SweepProgress, type SweepResult } from './sweep';
import { runTrace, type TraceInput, type TraceProgress, type TraceOutput } from './trace-op';

interface Io<P> { onProgress: (p: P) => void; signal: AbortSignal }

async function run(model: LoadedModel, doc: unknown, io: Io<ExperimentProgress>): Promise<ExperimentResult> {
  const parsed = validateExperiment(doc);
  if (!parsed.ok) {
    const first = parsed.errors[0]!;
    throw new PatchbayError('EXPERIMENT_INVALID', `${parsed.errors.length} problem(s); first: ${first.message}`, first.path);
  }
  return runExperiment(model, parsed.value, io);
}

export const runOps = {
  trace: (model: LoadedModel, input: TraceInput, io: Io<TraceProgress>): Promise<TraceOutput> => runTrace(model, input, io),
  run,
  sweep: (model: LoadedModel, input: SweepOptions, io: Io<SweepProgress>): Promise<SweepResult> => patchingSweep(model, input, io),
};

export type RunOps = typeof runOps;
