// The training part of the store: the "Probe vs DAS" run (progress, the loss curve as it comes in, the result; a
// trained cell sent to Generate or Interventions) and the attribution-patching run with its "verify top cells" check.
// The settings are the experiment slice's `probe` and `attribution` (in the link); results here are local and belong
// to the model they were computed on.
import { engineClient } from '../workers/engine-client';
import type { DasOpProgress, DasOutput } from '../workers/das-op';
import type { AttributionOutput, AttributionProgress } from '../workers/attribution-op';
import type { WorkerError } from '../workers/protocol';
import { trainedInterventionDoc } from '../components/probe/trained-doc';
import type { OpState } from './run-slice';
import type { SliceCreator, Store } from './types';

export interface VerifiedCell { layer: number; position: number; estimate: number; exact: number }

export interface TrainingSlice {
  das: OpState<DasOutput, DasOpProgress> & { model: string | null; curve: number[] };
  attribution: OpState<AttributionOutput, AttributionProgress> & { model: string | null };
  verify: { status: 'idle' | 'running' | 'done' | 'error'; cells: VerifiedCell[]; error: WorkerError | null; inputs: string | null };
  /** Direction 0 of a subspace trained in the Probe vs DAS view (unit length), picked to steer with in Generate. */
  trainedDirection: { layer: number; position: number; component: string; values: number[] } | null;
  runDas: () => void;
  cancelDas: () => void;
  runAttribution: () => void;
  cancelAttribution: () => void;
  /** Runs the k cells with the largest |estimate| exactly and keeps them to mark on the map. */
  verifyTop: (k: number) => void;
  pickTrainedDirection: (cell: { layer: number; position: number } | null) => void;
  /** Puts the trained intervention of a cell, applied to the example pair, into the Interventions screen's document
   *  and opens that screen; returns what stood in the way, or null. */
  openTrainedIntervention: (cell: { layer: number; position: number }) => string | null;
}

const idle = { status: 'idle' as const, progress: null, result: null, error: null, inputs: null, seconds: null, model: null };
const cancels: { das?: () => void; attribution?: () => void } = {};
const NO_MODEL: WorkerError = { code: 'MODEL_NOT_FOUND', message: 'no model is loaded: open one on the Model screen first' };

/** The bundled model's name lists (its manifest), when the loaded model is a bundled one that has them. */
function bundledNames(s: Store): [string[], string[]] | undefined {
  const ref = s.model.ref;
  if (ref?.kind !== 'bundled') return undefined;
  const lists = s.catalog?.find((m) => m.id === ref.id)?.name_lists;
  return lists ? [lists.male, lists.female] : undefined;
}

export const createTrainingSlice: SliceCreator<TrainingSlice> = (set, get) => ({
  das: { ...idle, curve: [] },
  attribution: { ...idle },
  verify: { status: 'idle', cells: [], error: null, inputs: null },
  trainedDirection: null,

  runDas: () => {
    cancels.das?.();
    const s = get();
    if (s.model.status !== 'ready') return set({ das: { ...idle, curve: [], status: 'error', error: NO_MODEL } });
    const settings = s.experiment.probe;
    const key = JSON.stringify(settings);
    const t0 = performance.now();
    const model = s.model.summary?.name ?? null;
    set({ das: { ...idle, status: 'running', inputs: key, model, curve: [] }, trainedDirection: null });
    const mine = () => get().das.inputs === key && get().das.status === 'running';
    const pending = engineClient.experiment('das', { settings, bundledNames: bundledNames(s) }, (p) => {
      if (!mine()) return;
      const loss = p.train?.loss;
      const curve = loss ? [...get().das.curve, loss.reduce((a, b) => a + b, 0) / loss.length] : get().das.curve;
      set((st) => ({ das: { ...st.das, progress: p, curve } }));
    });
    cancels.das = pending.cancel;
    void pending.result.then((r) => {
      if (!mine()) return;
      delete cancels.das;
      const seconds = (performance.now() - t0) / 1000;
      set((st) => ({ das: r.ok ? { ...st.das, status: 'done', result: r.value, error: null, seconds, curve: r.value.loss_curve }
        : { ...st.das, status: 'error', error: r.error, seconds } }));
    });
  },

  cancelDas: () => {
    cancels.das?.();
    delete cancels.das;
    if (get().das.status === 'running') set((st) => ({ das: { ...st.das, status: 'error', error: { code: 'ABORTED', message: 'cancelled' } } }));
  },

  runAttribution: () => {
    cancels.attribution?.();
    const s = get();
    if (s.model.status !== 'ready') return set({ attribution: { ...idle, status: 'error', error: NO_MODEL } });
    const settings = s.experiment.attribution;
    const key = JSON.stringify(settings);
    const t0 = performance.now();
    set({ attribution: { ...idle, status: 'running', inputs: key, model: s.model.summary?.name ?? null }, verify: { status: 'idle', cells: [], error: null, inputs: null } });
    const mine = () => get().attribution.inputs === key && get().attribution.status === 'running';
    const pending = engineClient.experiment('attribution', { ...settings }, (p) => {
      if (mine()) set((st) => ({ attribution: { ...st.attribution, progress: p } }));
    });
    cancels.attribution = pending.cancel;
    void pending.result.then((r) => {
      if (!mine()) return;
      delete cancels.attribution;
      const seconds = (performance.now() - t0) / 1000;
      set((st) => ({ attribution: r.ok ? { ...st.attribution, status: 'done', result: r.value, error: null, seconds }
        : { ...st.attribution, status: 'error', error: r.error, seconds } }));
    });
  },

  cancelAttribution: () => {
    cancels.attribution?.();
    delete cancels.attribution;
    if (get().attribution.status === 'running') set((st) => ({ attribution: { ...st.attribution, status: 'error', error: { code: 'ABORTED', message: 'cancelled' } } }));
  },

  verifyTop: (k) => {
    const a = get().attribution;
    if (a.status !== 'done' || !a.result || !a.inputs) return;
    const ranked = a.result.estimate.flatMap((row, layer) => row.map((estimate, position) => ({ layer, position, estimate })))
      .sort((x, y) => Math.abs(y.estimate) - Math.abs(x.estimate)).slice(0, k);
    const key = a.inputs;
    set({ verify: { status: 'running', cells: [], error: null, inputs: key } });
    const pending = engineClient.experiment('verifyCells', { settings: JSON.parse(key) as Store['experiment']['attribution'], cells: ranked.map(({ layer, position }) => ({ layer, position })) }, () => undefined);
    void pending.result.then((r) => {
      if (get().verify.inputs !== key) return;
      set({ verify: r.ok ? { status: 'done', cells: ranked.map((c, i) => ({ ...c, exact: r.value[i]! })), error: null, inputs: key }
        : { status: 'error', cells: [], error: r.error, inputs: key } });
    });
  },

  pickTrainedDirection: (cell) => {
    const r = get().das.result;
    const t = cell && r?.trained.find((c) => c.layer === cell.layer && c.position === cell.position);
    if (!t || t.type === 'SigmoidMaskIntervention') return set({ trainedDirection: null });
    // direction 0 of the subspace: column 0 of the row-major D × cols rotation (unit length: the columns are orthonormal)
    const d = t.weight.length / t.weightCols;
    const values = Array.from({ length: d }, (_, i) => Number(t.weight[i * t.weightCols]!.toPrecision(7)));
    set({ trainedDirection: { layer: t.layer, position: t.position, component: t.component, values } });
  },

  openTrainedIntervention: (cell) => {
    const r = get().das.result;
    if (!r) return 'train first: there is no trained intervention yet';
    const d = trainedInterventionDoc(r, cell);
    if (!d.ok) return d.reason;
    get().setIntervention(d.doc);
    get().setView('intervene');
    return null;
  },
});

export const selectDas = (s: Store) => s.das;
export const selectAttribution = (s: Store) => s.attribution;
export const selectVerify = (s: Store) => s.verify;
