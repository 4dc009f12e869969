// The generation part of the store: the Generate view's run (both continuations streaming in token by token), its
// progress, result and inline error, or a generation result file imported there (import-slice). The settings
// themselves are the experiment slice's `generate` (in the link).
import { engineClient } from '../workers/engine-client';
import type { GenerateProgress, GenerateResult } from '../workers/generate-op';
import type { OpState } from './run-slice';
import type { SliceCreator, Store } from './types';

export interface GenerateSlice {
  generation: OpState<GenerateResult, GenerateProgress> & { model: string | null };
  runGenerate: () => void;
  cancelGenerate: () => void;
  /** A new model: the continuations of the previous one no longer apply (an imported file's still do). */
  resetGeneration: () => void;
}

const IDLE: GenerateSlice['generation'] = { status: 'idle', progress: null, result: null, error: null, inputs: null, seconds: null, model: null };
let cancel: (() => void) | null = null;
/** The current run: a run replaced by an identical one (the coefficient's debounced rerun) must not report its ABORTED. */
let current = 0;

/** What a run depends on: the settings, and the Interventions document when it is the one used. */
export function generationInputs(s: Store): unknown {
  const g = s.experiment.generate;
  return g.use === 'intervention' ? { g, doc: s.experiment.intervention } : { g };
}

export const createGenerateSlice: SliceCreator<GenerateSlice> = (set, get) => {
  const patch = (p: Partial<GenerateSlice['generation']>) => set((s) => ({ generation: { ...s.generation, ...p } }));
  return {
    generation: IDLE,
    runGenerate: () => {
      cancel?.();
      const s = get();
      if (s.model.status !== 'ready') {
        patch({ ...IDLE, status: 'error', error: { code: 'MODEL_NOT_FOUND', message: 'no model is loaded: open one on the Model screen first' } });
        return;
      }
      const key = JSON.stringify(generationInputs(s));
      const run = ++current;
      const t0 = performance.now();
      // A live result stays on screen until the new tokens stream in; an imported one (a file's) does not.
      const kept = s.generation.imported ? null : s.generation.result;
      set({ generation: { ...IDLE, status: 'running', inputs: key, model: s.model.summary?.name ?? null, result: kept } });
      const settings = s.experiment.generate;
      const pending = engineClient.experiment('generate', { settings, intervention: settings.use === 'intervention' ? s.experiment.intervention : undefined }, (p) => {
        if (run === current && get().generation.status === 'running') patch({ progress: p });
      });
      cancel = pending.cancel;
      void pending.result.then((r) => {
        if (run !== current || get().generation.inputs !== key || get().generation.status !== 'running') return;
        cancel = null;
        const seconds = (performance.now() - t0) / 1000;
        if (r.ok) patch({ status: 'done', result: r.value, error: null, seconds });
        else patch({ status: 'error', error: r.error, seconds });
      });
    },
    resetGeneration: () => {
      cancel?.();
      cancel = null;
      // An imported result (from a file, not from the model) stays until a run or "Back to live runs" replaces it.
      set((st) => ({ generation: st.generation.imported ? st.generation : IDLE }));
    },
    cancelGenerate: () => {
      cancel?.();
      cancel = null;
      if (get().generation.status === 'running') patch({ status: 'error', error: { code: 'ABORTED', message: 'cancelled' } });
    },
  };
};

export const selectGeneration = (s: Store) => s.generation;
