// The run slice: everything computed from the experiment (model load, next-token predictions, trace, intervention
// run, sweep) with its progress, result and inline error. Actions read the experiment slice and call the worker.
import { engineClient, type Pending } from '../workers/engine-client';
import type { Prediction, WorkerError } from '../workers/protocol';
import type { TraceOutput, TraceProgress } from '../workers/trace-op';
import type { SweepProgress, SweepResult } from '../workers/sweep';
import type { ExperimentProgress, ExperimentResult } from '../../engine/experiment/run-experiment';
import type { RunOutput } from '../workers/engine-ops';
import type { GruProgress, GruRunOutput } from '../workers/gru-op';
import { createModelSlice, type ModelSlice } from './model-slice';
import type { ImportedFrom } from './import-slice';
import type { SliceCreator, Store } from './types';

export type OpStatus = 'idle' | 'running' | 'done' | 'error';

export interface OpState<R, P> {
  status: OpStatus;
  progress: P | null;
  result: R | null;
  error: WorkerError | null;
  /** JSON of the inputs the result was computed from (the UI marks a result stale when they change). */
  inputs: string | null;
  seconds: number | null;
  /** The result came from a file (Import results), not from a run here; a run or "Back to live runs" clears it. */
  imported?: ImportedFrom;
}

export type OpName = 'trace' | 'intervention' | 'sweep' | 'gru';

export interface PredictionState { text: string; status: OpStatus; result: Prediction | null; error: WorkerError | null }

export interface RunSlice extends ModelSlice {
  ops: {
    trace: OpState<TraceOutput, TraceProgress>;
    /** An imported run without full logits has no exact next-token table (`table`): its top-k lists are shown. */
    intervention: OpState<RunOutput | ExperimentResult, ExperimentProgress>;
    sweep: OpState<SweepResult, SweepProgress>;
    /** The Interventions screen's run when the model is a GRU (time-step interventions). */
    gru: OpState<GruRunOutput, GruProgress>;
  };
  predictions: Record<string, PredictionState>;
  predict: (text: string) => Promise<Prediction | null>;
  runTrace: () => void;
  runIntervention: () => void;
  runSweep: () => void;
  runGru: () => void;
  /** Stops a run; `why` replaces the plain "cancelled" when the app, not the user, stopped it. */
  cancelOp: (op: OpName, why?: string) => void;
  /** Called when a model finishes loading: runs the view a link asked to run. */
  modelReady: () => void;
}

/** Keeps the 40 most recent predictions (one per prompt typed and paused on). */
function recent(all: Record<string, PredictionState>): Record<string, PredictionState> {
  const keys = Object.keys(all);
  return keys.length <= 40 ? all : Object.fromEntries(keys.slice(-40).map((k) => [k, all[k]!]));
}

const idle = <R, P>(): OpState<R, P> => ({ status: 'idle', progress: null, result: null, error: null, inputs: null, seconds: null });
const cancels: Partial<Record<OpName, () => void>> = {};
/** Each op's current run: a run replaced by an identical one must not report its ABORTED over the new one. */
const currentRun: Partial<Record<OpName, number>> = {};
let runs = 0;

export const createRunSlice: SliceCreator<RunSlice> = (set, get, api) => {
  function start(op: OpName, inputs: unknown, call: (onProgress: (p: unknown) => void) => Pending<unknown>): void {
    cancels[op]?.();
    if (get().model.status !== 'ready') {
      patch(op, { ...idle(), status: 'error', error: { code: 'MODEL_NOT_FOUND', message: 'no model is loaded: open one on the Model screen first' } });
      return;
    }
    const key = JSON.stringify(inputs);
    const run = ++runs;
    currentRun[op] = run;
    const t0 = performance.now();
    patch(op, { status: 'running', progress: null, error: null, inputs: key, imported: undefined });
    const pending = call((p) => {
      if (currentRun[op] === run && get().ops[op].status === 'running') patch(op, { progress: p });
    });
    cancels[op] = pending.cancel;
    void pending.result.then((r) => {
      if (currentRun[op] !== run || get().ops[op].inputs !== key || get().ops[op].status !== 'running') return;
      delete cancels[op];
      const seconds = (performance.now() - t0) / 1000;
      if (r.ok) patch(op, { status: 'done', result: r.value, error: null, seconds });
      else patch(op, { status: 'error', error: r.error, seconds });
    });
  }

  /** Ops share one shape; each op's result type is fixed by the call that produced it. */
  function patch(op: OpName, p: Partial<OpState<unknown, unknown>>): void {
    set((s) => ({ ops: { ...s.ops, [op]: { ...s.ops[op], ...p } } as Store['ops'] }));
  }

  return {
    ...createModelSlice(set, get, api),
    ops: { trace: idle(), intervention: idle(), sweep: idle(), gru: idle() },
    predictions: {},

    predict: async (text) => {
      if (get().model.status !== 'ready' || !text.trim()) return null;
      const cached = get().predictions[text];
      if (cached?.status === 'done') return cached.result;
      set((s) => ({ predictions: { ...s.predictions, [text]: { text, status: 'running', result: null, error: null } } }));
      const r = await engineClient.predict(text, 5);
      const entry: PredictionState = r.ok ? { text, status: 'done', result: r.value, error: null } : { text, status: 'error', result: null, error: r.error };
      set((s) => ({ predictions: recent({ ...s.predictions, [text]: entry }) }));
      return r.ok ? r.value : null;
    },

    runTrace: () => {
      const t = get().experiment.trace;
      start('trace', t, (onProgress) => engineClient.experiment('trace', { ...t }, onProgress));
    },

    runIntervention: () => {
      const doc = get().experiment.intervention;
      start('intervention', doc, (onProgress) => engineClient.experiment('run', doc, onProgress));
    },

    runSweep: () => {
      const sw = get().experiment.sweep;
      start('sweep', sw, (onProgress) => engineClient.experiment('sweep', { ...sw }, onProgress));
    },

    runGru: () => {
      const doc = get().experiment.intervention;
      start('gru', doc, (onProgress) => engineClient.experiment('gru', doc, onProgress));
    },

    cancelOp: (op, why) => {
      cancels[op]?.();
      delete cancels[op];
      if (get().ops[op].status === 'running') patch(op, { status: 'error', error: { code: 'ABORTED', message: why ?? 'cancelled' } });
    },

    modelReady: () => {
      // Results of the previous model no longer apply; a note that its run was stopped stays until the next run, and
      // an imported result (from a file, not from the model) stays until a run or "Back to live runs" replaces it.
      const keep = <O extends OpState<unknown, unknown>>(o: O): O => (o.error?.code === 'ABORTED' || o.imported ? o : idle() as O);
      const { trace, intervention, sweep, gru } = get().ops;
      set({ predictions: {}, ops: { trace: keep(trace), intervention: keep(intervention), sweep: keep(sweep), gru: keep(gru) } });
      get().resetGeneration();
      const view = get().autorun;
      get().setAutorun(null);
      if (view === 'trace') get().runTrace();
      else if (view === 'intervene' && get().model.summary?.family === 'gru') get().runGru();
      else if (view === 'intervene') get().runIntervention();
      else if (view === 'sweep') get().runSweep();
      else if (view === 'generate') get().runGenerate();
      else if (view === 'attribution') get().runAttribution(); // a few seconds; Probe vs DAS trains only when asked
    },
  };
};

export const selectOp = <K extends OpName>(op: K) => (s: Store): Store['ops'][K] => s.ops[op];
export const selectPrediction = (text: string) => (s: Store): PredictionState | undefined => s.predictions[text];
