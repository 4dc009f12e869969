// The import slice: result files from the exported pyvene / nnsight scripts or the CLI, shown in the screen an
// in-browser run would fill (its op holds the result, marked `imported` with the file's provenance), and "Back to live
// runs", which brings back what the import covered: the live result, and the settings unless they were edited since.
// A bad file leaves everything as it was, with a message.
import { parseResultText, type Provenance } from '../../engine/io/result-files';
import { viewForResult } from '../components/results-import/result-views';
import type { OpName, OpState } from './run-slice';
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
  backToLive: (op: OpName) => void;
  clearImportProblem: () => void;
}

/** Files larger than this are refused before reading (a run with full logits of a 50k vocabulary is ~2 MB). */
const MAX_BYTES = 256 * 1024 * 1024;

type Shown = 'trace' | 'sweep' | 'intervention';

/** What an import covered, per op: the live result (and the model it came from), the settings before the import,
 *  and the settings the import set (JSON), to tell whether they were edited since. */
const covered: Partial<Record<OpName, { state: OpState<unknown, unknown> | null; model: string | null; settings: unknown; imported: string }>> = {};

function settingsOf(op: Shown, s: Store): unknown {
  return op === 'trace' ? s.experiment.trace : op === 'sweep' ? s.experiment.sweep : s.experiment.intervention;
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
    const v = viewForResult(parsed.file);
    if ('error' in v) {
      set({ importProblem: { file, path: '(document)', message: `this is ${v.error}`, more: 0 } });
      return;
    }
    const s = get();
    if (s.ops[v.op].status === 'running') s.cancelOp(v.op, 'a result file was imported');
    const before = get().ops[v.op];
    const first = !before.imported || !covered[v.op];
    const previous = first ? { state: before.status === 'done' && !before.imported ? before : null, model: s.model.summary?.name ?? null, settings: settingsOf(v.op, s) } : covered[v.op]!;
    if (v.op === 'trace') s.patchTrace(v.settings);
    else if (v.op === 'sweep') s.patchSweep(v.settings);
    else s.setIntervention('config' in v.intervention ? v.intervention : { ...s.experiment.intervention, ...v.intervention });
    const current = settingsOf(v.op, get());
    covered[v.op] = { ...previous, imported: JSON.stringify(current) };
    const r = parsed.file.result;
    const imported: ImportedFrom = { file, date, provenance: r.provenance ?? null, model: r.provenance?.model ?? r.model ?? null, carried: v.carried };
    const state: OpState<unknown, unknown> = { status: 'done', progress: null, result: v.result, error: null, inputs: JSON.stringify(current), seconds: null, imported };
    set((st) => ({ importProblem: null, ops: { ...st.ops, [v.op]: state } as Store['ops'] }));
    s.setView(v.view);
  },

  backToLive: (op) => {
    const prev = covered[op];
    delete covered[op];
    const s = get();
    if (prev && (op === 'trace' || op === 'sweep' || op === 'intervention') && JSON.stringify(settingsOf(op, s)) === prev.imported) {
      if (op === 'trace') s.patchTrace(prev.settings as Store['experiment']['trace']);
      else if (op === 'sweep') s.patchSweep(prev.settings as Store['experiment']['sweep']);
      else s.setIntervention(prev.settings as Record<string, unknown>);
    }
    const state: OpState<unknown, unknown> = prev?.state && prev.model === (s.model.summary?.name ?? null) ? prev.state
      : { status: 'idle', progress: null, result: null, error: null, inputs: null, seconds: null };
    set((st) => ({ ops: { ...st.ops, [op]: state } as Store['ops'] }));
  },

  clearImportProblem: () => set({ importProblem: null }),
});

export const selectImportProblem = (s: Store) => s.importProblem;
