// The UI's handle on the engine worker: starts it lazily, passes progress callbacks as Comlink proxies, gives every
// long call a request id so it can be cancelled, and turns a crashed worker into an ordinary error result.
import * as Comlink from 'comlink';
import type { EngineService } from './engine-service';
import type { RunOps } from './engine-ops';
import type { ExecutionProvider, ModelSummary, OpenProgress, OpenRequest, Prediction, Result, RuntimeFacts, Tokenized } from './protocol';

type Remote = Comlink.Remote<EngineService>;

let worker: Worker | undefined;
let remote: Remote | undefined;
let crashed: ((e: string) => void)[] = [];
let nextId = 0;

function engine(): Remote {
  if (!remote) {
    worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'patchbay-engine' });
    worker.addEventListener('error', (e) => {
      const message = e.message || 'the engine worker stopped';
      crashed.forEach((f) => f(message));
      crashed = [];
    });
    remote = Comlink.wrap<EngineService>(worker);
  }
  return remote;
}

/** A cancellable call: its result, and a function that aborts it in the worker. */
export interface Pending<T> {
  id: string;
  result: Promise<Result<T>>;
  cancel: () => void;
}

function pending<T>(start: (r: Remote, id: string) => Promise<Result<T>>): Pending<T> {
  const id = `r${++nextId}`;
  const r = engine();
  const crash = new Promise<Result<T>>((resolve) => {
    crashed.push((message) => resolve({ ok: false, error: { code: 'WORKER_CRASHED', message } }));
  });
  const result = Promise.race([start(r, id).catch((e: unknown) => failure<T>(e)), crash]);
  return { id, result, cancel: () => void r.abort(id) };
}

function failure<T>(e: unknown): Result<T> {
  return { ok: false, error: { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) } };
}

async function safe<T>(fn: (r: Remote) => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await fn(engine());
  } catch (e) {
    return failure<T>(e);
  }
}

export const engineClient = {
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
