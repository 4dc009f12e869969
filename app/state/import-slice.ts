// The import slice: result files from the exported pyvene / nnsight scripts or the CLI, shown in the screen an
// in-browser run would fill (its op, or the Generate view's `generation`, holds the result, marked `imported` with the
// file's provenance), and "Back to live runs", which brings back what the import covered: the live result, and the
// settings unless they were edited since. A bad file leaves everything as it was, with a message.
import { parseResultText, type Provenance } from '../../engine/io/result-files';
import { viewForResult } from '../components/results-import/result-views';
import { generationInputs } from './generate-slice';
import type { OpState } from './run-slice';
import type { SliceCreator, Store } from './types';

/** Where an imported result came from (shown in the banner above its screen). */
export interface ImportedFrom {
  file: string;
  /** The file's last-modified time (ms since 1970), when the browser gives it. */
  date: number | null;
  provenance: Provenance | null;
  /** The model the file names (provenance.model, else its "model"). */
  model: string | null;
  /** Which settings of the screen the file set. */
  carried: string;
}

export interface ImportProblem { file: string; path: string; message: string; more: number }

export interface ImportSlice {
  importProblem: ImportProblem | null;
  /** Reads a picked or dropped file and shows it (or the problem with it). */
  importResultFile: (file: File) => Promise<void>;
  importResultText: (text: string, file: string, date?: number | null) => void;
  /** Leaves the imported result: the live result it covered comes back (if the model is still the same), and the
   *  screen's settings (if they are still the file's). */
  backToLive: (op: ImportedOp) => void;
  clearImportProblem: () => void;
}

/** Files larger than this are refused before reading (a run with full logits of a 50k vocabulary is ~2 MB). */
const MAX_BYTES = 256 * 1024 * 1024;

/** The results an import can fill: the run slice's ops, and the Generate view's generation. */
export type ImportedOp = 'trace' | 'sweep' | 'intervention' | 'generation';

/** What an import covered, per op: the live result (and the model it came from), the settings before the import,
 *  and the settings the import set (JSON), to tell whether they were edited since. */
const covered: Partial<Record<ImportedOp, { state: OpState<unknown, unknown> | null; model: string | null; settings: unknown; imported: string }>> = {};

function settingsOf(op: ImportedOp, s: Store): unknown {
  return op === 'trace' ? s.experiment.trace : op === 'sweep' ? s.experiment.sweep : op === 'generation' ? s.experiment.generate : s.experiment.intervention;
}

function stateOf(op: ImportedOp, s: Store): OpState<unknown, unknown> {
  return op === 'generation' ? s.generation : s.ops[op];
}

/** The key a result's `inputs` holds (the RunBar compares it with the settings to mark a result out of date). */
function inputsKey(op: ImportedOp, s: Store): string {
  return JSON.stringify(op === 'generation' ? generationInputs(s) : settingsOf(op, s));
}

function patchSettings(op: ImportedOp, s: Store, settings: unknown): void {
  if (op === 'trace') s.patchTrace(settings as Store['experiment']['trace']);
  else if (op === 'sweep') s.patchSweep(settings as Store['experiment']['sweep']);
  else if (op === 'generation') s.patchGenerate(settings as Store['experiment']['generate']);
  else s.setIntervention(settings as Record<string, unknown>);
}

/** The model a live result was computed with (a generation records its own). */
function modelOf(op: ImportedOp, state: OpState<unknown, unknown>, s: Store): string | null {
  return op === 'generation' ? (state as Store['generation']).model : s.model.summary?.name ?? null;
}

function putState(op: ImportedOp, state: OpState<unknown, unknown>): (st: Store) => Partial<Store> {
  return op === 'generation'
    ? () => ({ generation: { model: null, ...state } as Store['generation'] })
    : (st) => ({ ops: { ...st.ops, [op]: state } as Store['ops'] });
}

export const createImportSlice: SliceCreator<ImportSlice> = (set, get) => ({
  importProblem: null,

  importResultFile: async (file) => {
    if (file.size > MAX_BYTES) {
      set({ importProblem: { file: file.name, path: '(document)', message: `the file is ${(file.size / 2 ** 20).toFixed(0)} MB; result files are at most ${MAX_BYTES / 2 ** 20} MB`, more: 0 } });
      return;
    }
    let text: string;
    try {
      text = await file.text();
    } catch (e) {
      set({ importProblem: { file: file.name, path: '(document)', message: `could not read the file: ${(e as Error).message}`, more: 0 } });
      return;
    }
    get().importResultText(text, file.name, file.lastModified || null);
  },

  importResultText: (text, file, date = null) => {
    const parsed = parseResultText(text);
    if (!parsed.ok) {
      const first = parsed.errors[0] ?? { path: '(document)', message: 'invalid' };
      set({ importProblem: { file, path: first.path, message: first.message, more: parsed.errors.length - 1 } });
      return;
    }
    const s = get();
    const v = viewForResult(parsed.file, { generate: s.experiment.generate, nLayers: s.model.summary?.dims.nLayers ?? null });
    if ('error' in v) {
      set({ importProblem: { file, path: '(document)', message: `this is ${v.error}`, more: 0 } });
      return;
    }
    if (v.op === 'generation') s.cancelGenerate();
    else if (s.ops[v.op].status === 'running') s.cancelOp(v.op, 'a result file was imported');
    const before = stateOf(v.op, get());
    const first = !before.imported || !covered[v.op];
    const previous = first
      ? { state: before.status === 'done' && !before.imported ? before : null, model: modelOf(v.op, before, s), settings: settingsOf(v.op, s) }
      : covered[v.op]!;
    if (v.op === 'intervention') s.setIntervention('config' in v.intervention ? v.intervention : { ...s.experiment.intervention, ...v.intervention });
    else patchSettings(v.op, s, v.settings);
    covered[v.op] = { ...previous, imported: JSON.stringify(settingsOf(v.op, get())) };
    const r = parsed.file.result;
    const imported: ImportedFrom = { file, date, provenance: r.provenance ?? null, model: r.provenance?.model ?? r.model ?? null, carried: v.carried };
    const state: OpState<unknown, unknown> = { status: 'done', progress: null, result: v.result, error: null, inputs: inputsKey(v.op, get()), seconds: null, imported };
    set((st) => ({ importProblem: null, ...putState(v.op, state)(st) }));
    s.setView(v.view);
  },

  backToLive: (op) => {
    const prev = covered[op];
    delete covered[op];
    const s = get();
    if (prev && JSON.stringify(settingsOf(op, s)) === prev.imported) patchSettings(op, s, prev.settings);
    const state: OpState<unknown, unknown> = prev?.state && prev.model === (s.model.summary?.name ?? null) ? prev.state
      : { status: 'idle', progress: null, result: null, error: null, inputs: null, seconds: null };
    set(putState(op, state));
  },

  clearImportProblem: () => set({ importProblem: null }),
});

export const selectImportProblem = (s: Store) => s.importProblem;
