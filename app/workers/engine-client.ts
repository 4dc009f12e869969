// The UI's handle on the engine worker: starts it on first use (or at once: start()), passes progress callbacks as Comlink proxies, gives every
// long call a request id so it can be cancelled, and turns a crashed worker into an ordinary error result.
import * as Comlink from 'comlink';
import type { EngineService } from './engine-service';
import type { RunOps } from './engine-ops';
import type { TraceInput } from './trace-op';
import type { ExecutionProvider, ModelSummary, OpenProgress, OpenRequest, Prediction, Result, RuntimeFacts, Tokenized } from './protocol';

type Remote = Comlink.Remote<EngineService>;

let worker: Worker | undefined;
let remote: Remote | undefined;
let crashed: ((e: string) => void)[] = [];
const restartListeners = new Set<(message: string) => void>();
let nextId = 0;
let generation = 0;

/** What the user reads when the engine worker dies mid-run (out of memory, a lost GPU device, a crash). */
export const WORKER_DIED = 'the engine stopped in the middle of this (it may have run out of memory or lost its GPU device); '
  + 'it was restarted and your experiment is kept: run it again';

function engine(): Remote {
  if (!remote) {
    const name = `patchbay-engine-${++generation}`;
    const w = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name });
    worker = w;
    w.addEventListener('error', (e) => {
      const message = e.message || 'the engine worker stopped';
      crashed.forEach((f) => f(message));
      crashed = [];
    });
    watchForDeath(w, name);
    remote = Comlink.wrap<EngineService>(w);
  }
  return remote;
}

/** The worker holds a Web Lock named after it for its whole life (engine.worker.ts); once it has said so, asking
 *  for the same lock here is granted exactly when the worker is gone — however it died (a worker killed for memory
 *  fires no event). Then every pending call fails with WORKER_DIED, the next call starts a fresh worker, and the
 *  listeners (the store: reopen the model) are told. */
function watchForDeath(w: Worker, name: string): void {
  const locks = globalThis.navigator?.locks;
  if (!locks) return;
  const onHeld = (e: MessageEvent) => {
    if ((e.data as { patchbayLockHeld?: string } | null)?.patchbayLockHeld !== name) return;
    w.removeEventListener('message', onHeld);
    void locks.request(name, async () => {
      if (worker !== w) return; // replaced on purpose, nothing to report
      w.terminate();
      worker = undefined;
      remote = undefined;
      crashed.forEach((f) => f(WORKER_DIED));
      crashed = [];
      // After the failed calls' results have settled (microtasks), so listeners see them finished.
      setTimeout(() => restartListeners.forEach((f) => f(WORKER_DIED)), 0);
    });
  };
  w.addEventListener('message', onHeld);
}

/** Calls `f` whenever the engine worker died and a new one will serve the next call. Returns the unsubscribe. */
export function onEngineRestart(f: (message: string) => void): () => void {
  restartListeners.add(f);
  return () => restartListeners.delete(f);
}

/** A cancellable call: its result, and a function that aborts it in the worker. */
export interface Pending<T> {
  id: string;
  result: Promise<Result<T>>;
  cancel: () => void;
}

/** Resolves with a WORKER_CRASHED result if the worker dies first; `done` removes the watcher. */
function crashResult<T>(): { crash: Promise<Result<T>>; done: () => void } {
  let hook: (message: string) => void = () => undefined;
  const crash = new Promise<Result<T>>((resolve) => {
    hook = (message) => resolve({ ok: false, error: { code: 'WORKER_CRASHED', message } });
    crashed.push(hook);
  });
  return { crash, done: () => { crashed = crashed.filter((f) => f !== hook); } };
}

function pending<T>(start: (r: Remote, id: string) => Promise<Result<T>>): Pending<T> {
  const id = `r${++nextId}`;
  const r = engine();
  const { crash, done } = crashResult<T>();
  const result = Promise.race([start(r, id).catch((e: unknown) => failure<T>(e)), crash]);
  void result.finally(done);
  return { id, result, cancel: () => void r.abort(id) };
}

function failure<T>(e: unknown): Result<T> {
  return { ok: false, error: { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) } };
}

async function safe<T>(fn: (r: Remote) => Promise<Result<T>>): Promise<Result<T>> {
  const { crash, done } = crashResult<T>();
  try {
    return await Promise.race([fn(engine()), crash]);
  } catch (e) {
    return failure<T>(e);
  } finally {
    done();
  }
}

export const engineClient = {
  /** Starts the worker and onnxruntime in it now, ahead of the first model (main.tsx). */
  start: (): void => { void engine().startRuntime().catch(() => undefined); },
  /** Asks the worker to compute this trace ahead (see EngineService.prepareTrace); a later identical request joins it. */
  prepareTrace: (input: TraceInput): void => { void engine().prepareTrace(input).catch(() => undefined); },
  runtime: (): Promise<Result<RuntimeFacts>> => safe(async (r) => ({ ok: true, value: await r.runtime() })),

  open(req: OpenRequest, onProgress: (p: OpenProgress) => void): Pending<ModelSummary> {
    const transfer = req.kind === 'files' ? req.files.map((f) => f.bytes.buffer as ArrayBuffer) : [];
    return pending((r, id) => r.open(id, Comlink.transfer(req, transfer), Comlink.proxy(onProgress)));
  },

  setProvider: (p: ExecutionProvider): Promise<Result<ModelSummary | null>> => safe((r) => r.setProvider(p)),
  tokenize: (text: string): Promise<Result<Tokenized>> => safe((r) => r.tokenize(text)),
  predict: (text: string, k = 5): Promise<Result<Prediction>> => safe((r) => r.predict(text, k)),

  experiment<K extends keyof RunOps>(op: K, input: Parameters<RunOps[K]>[1], onProgress: (p: Parameters<Parameters<RunOps[K]>[2]['onProgress']>[0]) => void):
    Pending<Awaited<ReturnType<RunOps[K]>>> {
    return pending((r, id) => r.experiment(id, op, input, Comlink.proxy(onProgress as (p: unknown) => void)) as Promise<Result<Awaited<ReturnType<RunOps[K]>>>>);
  },

  clearCache: (): Promise<Result<number>> => safe((r) => r.clearCache()),
  cacheUsage: (): Promise<Result<{ files: number; bytes: number }>> => safe((r) => r.cacheUsage()),
};
