// The patching sweep as the worker runs it: the engine's one implementation (engine/experiments/sweep.ts), shared
// with `patchbay sweep` and the exported scripts. Stage: experiments (re-exported for the app's imports).
export { patchingSweep, type SweepMetric, type SweepOptions, type SweepProgress, type SweepResult } from '../../engine/experiments/sweep';
