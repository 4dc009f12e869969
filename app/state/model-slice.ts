// The model part of the run slice: the bundled catalog, the runtime facts, and loading a model in the worker with
// per-file download progress. A model from an origin the user has not approved waits for their answer first.
import { engineClient, onEngineRestart } from '../workers/engine-client';
import type { ExecutionProvider, ModelSummary, OpenProgress, OpenRequest, RuntimeFacts, WorkerError } from '../workers/protocol';
import type { ModelRef } from '../link/schema';
import { fetchCatalog, type BundledModel } from './catalog';
import { HUB, approve, isApprovedNow, modelOrigin } from './approvals';
import type { SliceCreator, Store } from './types';

export interface FileProgress { loaded: number; total?: number; done: boolean }

export interface ModelLoad {
  status: 'none' | 'loading' | 'ready' | 'error';
  ref: ModelRef | null;
  files: Record<string, FileProgress>;
  stage: string | null;
  startedAt: number | null;
  summary: ModelSummary | null;
  error: WorkerError | null;
}

export interface ModelSlice {
  catalog: BundledModel[] | null;
  runtime: RuntimeFacts | null;
  model: ModelLoad;
  loadCatalog: () => Promise<void>;
  /** Opens a model if its origin is approved; otherwise asks (view slice) and opens after a yes. */
  requestModel: (ref: ModelRef, opts?: { files?: File[]; userTyped?: boolean }) => Promise<void>;
  openModel: (ref: ModelRef, files?: File[]) => Promise<void>;
  cancelModel: () => void;
  setProvider: (p: ExecutionProvider) => Promise<void>;
}

const NO_MODEL: ModelLoad = { status: 'none', ref: null, files: {}, stage: null, startedAt: null, summary: null, error: null };
let cancelLoad: (() => void) | null = null;
/** The files of the last local model, to reopen it in a restarted worker. */
let lastFiles: File[] | undefined;

async function readFiles(files: File[]): Promise<{ path: string; bytes: Uint8Array }[]> {
  return Promise.all(files.map(async (f) => {
    // A picked folder names files "folder/onnx/model.onnx"; the model's own layout starts below the folder.
    const rel = f.webkitRelativePath ? f.webkitRelativePath.split('/').slice(1).join('/') : f.name;
    return { path: rel || f.name, bytes: new Uint8Array(await f.arrayBuffer()) };
  }));
}

function httpRequest(name: string, url: string, variant: 'fp32' | 'quantized'): OpenRequest {
  if (/\.onnx$/i.test(url)) {
    const cut = url.lastIndexOf('/');
    return { kind: 'http', name, baseUrl: url.slice(0, cut), modelFile: url.slice(cut + 1), variant, cache: true };
  }
  return { kind: 'http', name, baseUrl: url, variant, cache: true };
}

async function toRequest(get: () => Store, ref: ModelRef, files?: File[]): Promise<OpenRequest | WorkerError> {
  switch (ref.kind) {
    case 'none': return { code: 'MODEL_NOT_FOUND', message: 'choose a model first' };
    case 'bundled': {
      const catalog = get().catalog;
      const entry = catalog?.find((m) => m.id === ref.id);
      if (catalog && !entry) {
        return { code: 'MODEL_NOT_FOUND', message: `"${ref.id}" is not one of the bundled models (${catalog.map((m) => m.id).join(', ')}): pick one on the Model screen` };
      }
      return { kind: 'bundled', id: ref.id, modelFile: entry?.files.model };
    }
    case 'hub': {
      const endpoint = (ref.endpoint ?? HUB).replace(/\/+$/, '');
      return httpRequest(ref.repo, `${endpoint}/${ref.repo}/resolve/main`, ref.variant);
    }
    case 'url': return httpRequest(ref.url, ref.url, ref.variant);
    case 'local': {
      if (!files?.length) return { code: 'MODEL_NOT_FOUND', message: `this experiment used local files (${ref.name}): pick them again on the Model screen` };
      const read = await readFiles(files);
      const onnx = read.filter((f) => /\.onnx$/i.test(f.path));
      return { kind: 'files', name: ref.name, files: read, modelFile: onnx.length === 1 ? onnx[0]!.path : undefined };
    }
  }
}

/** Errors raised while reading and checking the new files, before the worker lets go of the model it has. */
const REJECTED_BEFORE_SWAP = new Set(['MODEL_NOT_ONNX', 'MODEL_NOT_FOUND', 'MODEL_FAMILY_UNKNOWN', 'MODEL_LAYOUT_UNSUPPORTED',
  'MODEL_FETCH_FAILED', 'SITES_NOT_FOUND', 'TOKENIZER_MISSING', 'CONFIG_UNSUPPORTED', 'ABORTED', 'INPUT_INVALID']);

/** A failed load: the previous model stays in use when the worker still has it (the error is shown beside it). */
function failedLoad(ref: ModelRef, error: WorkerError, previous: ModelLoad | null): ModelLoad {
  if (previous && REJECTED_BEFORE_SWAP.has(error.code)) return { ...previous, error: { ...error, message: `${error.message} (${refName(ref)})` } };
  return { ...NO_MODEL, status: 'error', ref, error };
}

function refName(ref: ModelRef): string {
  return ref.kind === 'bundled' ? ref.id : ref.kind === 'hub' ? ref.repo : ref.kind === 'url' ? ref.url : ref.kind === 'local' ? ref.name : 'no model';
}

export const createModelSlice: SliceCreator<ModelSlice> = (set, get) => {
  // A worker that died took the model with it: the new one reopens it (the experiment itself is in the store).
  onEngineRestart(() => {
    const m = get().model;
    if (m.ref && (m.status === 'ready' || m.status === 'loading')) void get().openModel(m.ref, m.ref.kind === 'local' ? lastFiles : undefined);
  });
  return modelSlice(set, get);
};

const modelSlice = (set: Parameters<SliceCreator<ModelSlice>>[0], get: () => Store): ModelSlice => ({
  catalog: null,
  runtime: null,
  model: NO_MODEL,

  loadCatalog: async () => {
    // The runtime facts wait for the GPU adapter, which can take seconds: nobody waits for them.
    void engineClient.runtime().then((r) => { if (r.ok && !get().runtime) set({ runtime: r.value }); });
    set({ catalog: await fetchCatalog() });
  },

  requestModel: async (ref, opts) => {
    const origin = modelOrigin(ref);
    // Typing an address on the Model screen is the approval; a link's address needs an explicit yes.
    if (opts?.userTyped && origin && origin !== 'invalid') approve(origin, true);
    else if (!isApprovedNow(origin)) {
      get().askApproval(origin ?? 'invalid', ref);
      return;
    }
    await get().openModel(ref, opts?.files);
  },

  openModel: async (ref, files) => {
    cancelLoad?.();
    if (files) lastFiles = files;
    // A run of the old model would hold the worker until it ends and then be dropped: stop it now, and say why.
    for (const op of ['trace', 'intervention', 'sweep', 'gru'] as const) {
      if (get().ops[op].status === 'running') get().cancelOp(op, 'stopped because another model is being opened');
    }
    const previous = get().model.status === 'ready' ? get().model : null;
    set({ model: { ...NO_MODEL, status: 'loading', ref, startedAt: performance.now(), stage: 'starting' } });
    const req = await toRequest(get, ref, files);
    if ('code' in req) {
      set({ model: failedLoad(ref, req, previous) });
      return;
    }
    const onProgress = (p: OpenProgress) => {
      const m = get().model;
      if (m.ref !== ref || m.status !== 'loading') return;
      if (p.status === 'stage') set({ model: { ...m, stage: p.message } });
      else {
        const prev = m.files[p.file];
        const next: FileProgress = p.status === 'initiate' ? { loaded: 0, done: false }
          : p.status === 'progress' ? { loaded: p.loaded, total: p.total, done: false }
          : { loaded: p.bytes, total: prev?.total ?? p.bytes, done: true };
        set({ model: { ...m, stage: `downloading ${p.file}`, files: { ...m.files, [p.file]: next } } });
      }
    };
    const call = engineClient.open(req, onProgress);
    cancelLoad = call.cancel;
    const r = await call.result;
    if (get().model.ref !== ref) return; // a newer load replaced this one
    cancelLoad = null;
    if (r.ok) {
      set({ model: { ...get().model, status: 'ready', stage: null, summary: r.value, error: null }, runtime: r.value.runtime });
      get().modelReady();
    } else {
      set({ model: failedLoad(ref, r.error, previous) });
    }
  },

  cancelModel: () => {
    cancelLoad?.();
    cancelLoad = null;
  },

  setProvider: async (p) => {
    const r = await engineClient.setProvider(p);
    if (!r.ok) {
      set({ model: { ...get().model, error: r.error } });
      return;
    }
    if (r.value) set({ model: { ...get().model, summary: r.value, error: null }, runtime: r.value.runtime });
    else set((s) => ({ runtime: s.runtime ? { ...s.runtime, provider: p } : s.runtime }));
  },
});

export const selectModel = (s: Store) => s.model;
export const selectCatalog = (s: Store) => s.catalog;
export const selectRuntime = (s: Store) => s.runtime;
export const selectModelReady = (s: Store) => s.model.status === 'ready';

/** Download totals across files: bytes so far, total when every file's size is known, and speed in bytes/s. */
export function downloadStats(m: ModelLoad, now = performance.now()): { loaded: number; total: number | null; speed: number | null } {
  const files = Object.values(m.files);
  const loaded = files.reduce((a, f) => a + f.loaded, 0);
  const total = files.length > 0 && files.every((f) => f.total !== undefined) ? files.reduce((a, f) => a + f.total!, 0) : null;
  const seconds = m.startedAt !== null ? (now - m.startedAt) / 1000 : 0;
  return { loaded, total, speed: seconds > 0.2 ? loaded / seconds : null };
}
