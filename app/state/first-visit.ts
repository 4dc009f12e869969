// A first visit (no link in the URL) opens the bundled default model right away, so that the Eiffel Tower trace is
// one click from the page load (the Model screen's quick start), with a restore window that fits the model's depth.
// Once it is open, the worker computes that trace ahead (prepareTrace). Stage: app state (the store's actions, the
// engine client).
import { suggestedWindow, ROME_WINDOW } from '../components/trace/window';
import { DEFAULT_PROMPT } from '../link/schema';
import type { BundledModel } from './catalog';
import { useStore } from './store';
import { engineClient } from '../workers/engine-client';

/** The bundled model a first visit opens: the first transformer of the catalog. */
export function defaultModel(): BundledModel | null {
  const catalog = useStore.getState().catalog ?? [];
  return catalog.find((m) => m.family === 'gpt2' || m.family === 'gpt_neox') ?? null;
}

/** A window still at ROME's 10 becomes the one suited to the model's depth (a link's experiment keeps its own:
 *  only a fresh experiment and the quick start call this). */
function fitWindow(layers: number | undefined): void {
  const s = useStore.getState();
  if (layers && s.experiment.trace.window === ROME_WINDOW) s.patchTrace({ window: suggestedWindow(layers) });
}

/** The quick start's trace settings: the experiment's own, with the Eiffel Tower prompt and noise. */
const QUICK_TRACE = { prompt: DEFAULT_PROMPT, subject: 'Eiffel Tower', answer: null, corruption: 'noise' } as const;

/** Opens the default model when neither a link nor the user chose one; once it is open, the worker computes the quick
 *  start's trace ahead, so that a click after a moment's reading finds it done (or under way). */
export async function openDefaultModel(): Promise<void> {
  const s = useStore.getState();
  const m = defaultModel();
  if (!m || s.experiment.model.kind !== 'none' || s.model.status !== 'none') return;
  const ref = { kind: 'bundled' as const, id: m.id };
  fitWindow(m.facts.layers);
  s.setModelRef(ref);
  await s.requestModel(ref);
  const now = useStore.getState();
  if (now.model.ref === ref && now.model.status === 'ready' && now.ops.trace.status === 'idle') {
    engineClient.prepareTrace({ ...now.experiment.trace, ...QUICK_TRACE });
  }
}

/** The quick start: the Eiffel Tower trace on the default model, now or as soon as the model is open. */
export async function quickTrace(): Promise<void> {
  const s = useStore.getState();
  const m = defaultModel();
  if (!m) return;
  s.patchTrace(QUICK_TRACE);
  fitWindow(m.facts.layers);
  s.setView('trace');
  const mine = s.model.ref?.kind === 'bundled' && s.model.ref.id === m.id;
  if (mine && s.model.status === 'ready') {
    s.runTrace();
    return;
  }
  s.setAutorun('trace'); // runs when the model is ready (modelReady)
  if (mine && s.model.status === 'loading') return; // the first visit's load is under way
  const ref = { kind: 'bundled' as const, id: m.id };
  s.setModelRef(ref);
  await s.requestModel(ref);
}
