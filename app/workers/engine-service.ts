// The engine as the worker serves it: one loaded model, the runtime settings, and one method per UI operation.
// Long operations take a request id (for abort) and a progress callback (a Comlink.proxy from the UI).
import { fetchModelFiles } from '../../engine/model/fetch-model-files';
import type { LoadedModel } from '../../engine/load/load-model';
import { isRecurrent, loadAnyModel, recurrentSession, type RecurrentModel } from '../../engine/recurrent/load-recurrent';
import { httpAccess } from '../../engine/io/http-access';
import { memoryAccess, type FileAccess } from '../../engine/io/file-access';
import { configureRuntime, runtimeSettings, webgpuAvailable } from '../../engine/runtime/ort-runtime';
import { startRuntime } from '../../engine/runtime/start-runtime';
import { forward } from '../../engine/run/forward';
import { PatchbayError, throwIfAborted } from '../../engine/errors';
import type { ModelVariant } from '../../engine/model/model-ref';
import { cachedFetch, clearModelCache, modelCacheUsage } from './model-cache';
import { runOps } from './engine-ops';
import type {
  ExecutionProvider, ModelSummary, OpenProgress, OpenRequest, Prediction, Result, RuntimeFacts, Tokenized,
} from './protocol';
import { graphCache } from '../../engine/compile/graph-cache';
import { compileStages } from '../../engine/compile/staged-graphs';
import { warmUpTrace } from '../../engine/experiments/trace/warm-up';
import { PreparedTrace, settingsKey } from './prepared-trace';
import { runTrace, type TraceInput } from './trace-op';

type Progress<T> = (p: T) => void;

/** onnxruntime-web keeps a session's weights in its wasm memory (4 GB at most, activations included): larger models
 *  are refused before their download, with the alternatives named. */
const BROWSER_MAX_MODEL_BYTES = 3 * 2 ** 30;

/** Models up to this size get their trace stages compiled in the background once they are open (the bundled ones):
 *  onnxruntime-web takes ~0.25 s of CPU per stage session here, time the first trace would otherwise wait. */
const WARM_STAGES_BYTES = 64 * 2 ** 20;


export function toResultError(e: unknown): Result<never> {
  if (e instanceof PatchbayError) return { ok: false, error: { code: e.code, message: e.message, path: e.path } };
  const message = e instanceof Error ? e.message : String(e);
  return { ok: false, error: { code: 'INTERNAL', message } };
}

async function guard<T>(fn: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    return toResultError(e);
  }
}

/** Progress arrives per network chunk; the UI needs ~10 updates a second, plus every start and end. */
function throttle(fn: Progress<OpenProgress>): Progress<OpenProgress> {
  let last = 0;
  return (p) => {
    const now = performance.now();
    if (p.status !== 'progress' || now - last > 100) {
      last = now;
      fn(p);
    }
  };
}

/** Runs one model-changing or experiment operation at a time (opening a model, switching providers, a trace, a
 *  sweep). Single runs never overlap anyway (the runtime queues them: WebGPU fails with "Session already started"
 *  when two sessions run at once); the next-token preview skips this lock and takes the runtime's priority lane, so
 *  it answers while a trace or sweep runs. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export class EngineService {
  private model: LoadedModel | RecurrentModel | undefined;
  private readonly sessions = new Mutex();
  private readonly controllers = new Map<string, AbortController>();
  private webgpu: boolean | undefined;
  /** The background compilation of the open model's trace stages, if one runs (see warmStages). */
  private warming: { model: LoadedModel; stop: AbortController; runs: AbortController; done: Promise<void>; prepared?: PreparedTrace } | undefined;

  private signal(id: string): AbortSignal {
    this.controllers.get(id)?.abort();
    const c = new AbortController();
    this.controllers.set(id, c);
    return c.signal;
  }

  private done(id: string): void {
    this.controllers.delete(id);
  }

  /** Cancels the operation started with this request id (a no-op when it has finished). */
  abort(id: string): void {
    this.controllers.get(id)?.abort();
    this.controllers.delete(id);
  }

  async runtime(): Promise<RuntimeFacts> {
    this.webgpu ??= await webgpuAvailable();
    const isolated = globalThis.crossOriginIsolated === true;
    const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
    const s = runtimeSettings();
    // One core stays with the page (rendering, progress): on this 2-core machine 1 onnxruntime thread re-traced in
    // 2.0 s against 2.4 s with 2 (docs/benchmarks.md).
    return { crossOriginIsolated: isolated, threads: isolated ? Math.max(1, Math.min(4, cores - 1)) : 1, webgpu: this.webgpu, provider: s.provider };
  }

  private async ensureConfigured(provider?: ExecutionProvider): Promise<void> {
    const facts = await this.runtime();
    const wanted = provider ?? facts.provider;
    if (wanted === 'webgpu' && !facts.webgpu) {
      throw new PatchbayError('RUNTIME_FAILED', 'this browser has no WebGPU adapter: use wasm, or enable WebGPU (chrome://flags)');
    }
    const base = new URL(import.meta.env.BASE_URL, self.location.origin).href;
    configureRuntime({ provider: wanted, numThreads: facts.threads, wasmPaths: `${base}ort/` });
  }

  /** Starts onnxruntime for the chosen provider without waiting for it (the page calls this as it starts). */
  async startRuntime(): Promise<void> {
    await this.ensureConfigured().then(() => void startRuntime(), () => undefined);
  }

  open(id: string, req: OpenRequest, onProgress: Progress<OpenProgress>): Promise<Result<ModelSummary>> {
    const signal = this.signal(id);
    return guard(async () => {
      try {
        await this.ensureConfigured();
        void startRuntime(); // loads onnxruntime while the model downloads
        const { access, modelFile, variant } = this.access(req);
        const report = throttle(onProgress);
        const files = await fetchModelFiles(access, req.kind === 'bundled' ? req.id : req.name, { modelFile, variant, onProgress: report, signal, maxBytes: BROWSER_MAX_MODEL_BYTES });
        report({ status: 'stage', message: 'reading the graph and finding hook sites' });
        const loaded = loadAnyModel(files);
        if (signal.aborted) throw new PatchbayError('ABORTED', 'loading was cancelled');
        return await this.sessions.run(async () => {
          await this.stopWarming();
          await this.releaseSessions();
          this.model = loaded;
          report({ status: 'stage', message: 'creating an onnxruntime session' });
          await this.firstSession(loaded);
          this.warmStages(loaded);
          return this.summary();
        });
      } finally {
        this.done(id);
      }
    });
  }

  private access(req: OpenRequest): { access: FileAccess; modelFile?: string; variant?: ModelVariant } {
    switch (req.kind) {
      case 'bundled': {
        const base = new URL(`${import.meta.env.BASE_URL}models/${encodeURIComponent(req.id)}`, self.location.origin).href;
        return { access: httpAccess(base), modelFile: req.modelFile };
      }
      case 'http':
        return { access: httpAccess(req.baseUrl, req.cache ? cachedFetch : fetch), modelFile: req.modelFile, variant: req.variant };
      case 'files':
        return { access: memoryAccess(new Map(req.files.map((f) => [f.path, f.bytes])), req.name), modelFile: req.modelFile };
    }
  }

  /** Compiles a small transformer's trace stages in the background, outside the operation lock, then runs a small
   *  trace whose result is dropped (warmUpTrace: the runtime's kernels get optimized before the user's first trace).
   *  A trace started meanwhile takes the stages being compiled from the graph cache (nothing is compiled twice) and
   *  stops the warm-up runs; anything else stops it all after the current stage (stopWarming). Not part of opening:
   *  the model is usable at once. A graph that cannot be cut is traced whole, compiled when traced. */
  private warmStages(m: LoadedModel | RecurrentModel): void {
    if (isRecurrent(m) || m.info.bytes > WARM_STAGES_BYTES) return;
    const stop = new AbortController();
    const runs = new AbortController();
    const done = (async () => {
      (await compileStages(m, { signal: stop.signal })).release();
      await warmUpTrace(m, AbortSignal.any([stop.signal, runs.signal]));
    })().catch(() => undefined);
    this.warming = { model: m, stop, runs, done };
  }

  /** Computes a trace ahead (the quick start's, on a first visit), in place of the warm-up runs: a trace request with
   *  the same settings joins it (experiment). Only while a small model's stages are being warmed; anything else
   *  stops it (stopWarming). */
  prepareTrace(input: TraceInput): void {
    const w = this.warming;
    if (!w || w.prepared || w.stop.signal.aborted) return;
    w.runs.abort();
    w.prepared = new PreparedTrace(settingsKey(input), (io) => runTrace(w.model, input, { ...io, signal: AbortSignal.any([w.stop.signal, io.signal]) }));
  }

  private async stopWarming(): Promise<void> {
    const w = this.warming;
    this.warming = undefined;
    w?.stop.abort();
    await w?.done;
    await w?.prepared?.result;
  }

  /** The prepared trace's result when it has the requested settings (its progress goes to the request), or null. */
  private async joinPrepared(input: unknown, onProgress: Progress<unknown>, signal: AbortSignal): Promise<unknown> {
    const w = this.warming;
    const p = w?.prepared;
    if (!w || !p) return null;
    w.prepared = undefined;
    if (p.key !== settingsKey(input as object)) {
      p.stop();
      await p.result;
      return null;
    }
    const result = await p.join(onProgress, signal);
    throwIfAborted(signal);
    return result;
  }

  /** Releases the loaded model's compiled sessions (a transformer's graph cache, a GRU's sessions by slot set). */
  private async releaseSessions(): Promise<void> {
    const m = this.model;
    if (!m) return;
    if (!isRecurrent(m)) return graphCache(m).clear();
    const all = [...m.sessions.values()];
    m.sessions.clear();
    await Promise.all(all.map((s) => s.then((x) => x.release(), () => undefined)));
  }

  private async firstSession(m: LoadedModel | RecurrentModel): Promise<void> {
    if (isRecurrent(m)) await recurrentSession(m, { splits: new Map(), outputs: new Set() });
    else await graphCache(m).get([]);
  }

  private async summary(): Promise<ModelSummary> {
    const any = this.model;
    if (any && isRecurrent(any)) {
      const { name, bytes, dims: d } = any.info;
      return {
        name, family: 'gru', bytes, hasTokenizer: false, unavailableSites: {},
        dims: { nLayers: d.nLayers, dModel: d.hidden, nHeads: 0, dHead: 0, dMlp: 0, vocabSize: d.outputSize },
        recurrent: { hidden: d.hidden, inputSize: d.inputSize, outputSize: d.outputSize },
        graph: { exporter: 'torch.onnx (GRU nodes)', dtype: 'float32', layout: `${d.nLayers} GRU layers` }, runtime: await this.runtime(),
      };
    }
    const m = this.need();
    const { name, family, dims, bytes, hasTokenizer, graph, unavailableSites } = m.info;
    return {
      name, family, dims, bytes, hasTokenizer, unavailableSites,
      graph: { exporter: graph.exporter, dtype: graph.dtype, layout: graph.layout }, runtime: await this.runtime(),
    };
  }

  private need(): LoadedModel {
    if (!this.model) throw new PatchbayError('MODEL_NOT_FOUND', 'no model is loaded: open one on the Model screen');
    if (isRecurrent(this.model)) {
      throw new PatchbayError('CONFIG_UNSUPPORTED', `${this.model.info.name} is a recurrent network (GRU): this works on transformer language models; use the Interventions screen for time-step interventions, or open a transformer`);
    }
    return this.model;
  }

  private needRecurrent(): RecurrentModel {
    if (!this.model) throw new PatchbayError('MODEL_NOT_FOUND', 'no model is loaded: open one on the Model screen');
    if (!isRecurrent(this.model)) throw new PatchbayError('CONFIG_UNSUPPORTED', `${this.model.info.name} is a transformer: time-step (GRU) experiments need a recurrent network such as the bundled gru-recall`);
    return this.model;
  }

  /** Switches the execution provider; compiled graphs of the old one are released. */
  setProvider(provider: ExecutionProvider): Promise<Result<ModelSummary | null>> {
    return guard(async () => {
      return this.sessions.run(async () => {
        await this.ensureConfigured(provider);
        if (!this.model) return null;
        await this.stopWarming();
        await this.releaseSessions();
        await this.firstSession(this.model);
        return this.summary();
      });
    });
  }

  tokenize(text: string): Promise<Result<Tokenized>> {
    return guard(async () => {
      const tok = this.tokenizer();
      const ids = tok.encode(text);
      return { ids, tokens: tok.tokenTexts(ids) };
    });
  }

  private tokenizer() {
    const tok = this.need().tokenizer;
    if (!tok) throw new PatchbayError('TOKENIZER_MISSING', 'this model came without tokenizer.json: add it beside the .onnx file');
    return tok;
  }

  /** The next-token distribution after a prompt: its k most likely tokens. */
  predict(text: string, k: number): Promise<Result<Prediction>> {
    return guard(async () => {
      const m = this.need();
      const tok = this.tokenizer();
      const ids = tok.encode(text);
      if (ids.length === 0) throw new PatchbayError('INPUT_INVALID', 'the prompt has no tokens');
      // Not behind the operation lock: between two runs of a trace or sweep (priority lane of the run queue).
      const out = await forward(m, await graphCache(m).get([]), { ids: [ids], logits: 'last', priority: 'high' });
      const probs = softmax(out.logits!.data);
      const order = topK(probs, k);
      return { ids, tokens: tok.tokenTexts(ids), top: order.map((i) => ({ id: i, token: tok.decode([i]), prob: probs[i]! })) };
    });
  }

  /** Experiments (trace, intervention, sweep) share the model, an abort signal and a progress callback. */
  experiment<K extends keyof typeof runOps>(id: string, op: K, input: Parameters<(typeof runOps)[K]>[1], onProgress: Progress<unknown>):
    Promise<Result<Awaited<ReturnType<(typeof runOps)[K]>>>> {
    const signal = this.signal(id);
    return guard(async () => {
      try {
        const fn = runOps[op] as (m: LoadedModel | RecurrentModel, input: unknown, io: { onProgress: Progress<unknown>; signal: AbortSignal }) => Promise<never>;
        const model = op === 'gru' ? this.needRecurrent() : this.need();
        return await this.sessions.run(async () => {
          // A trace shares the stages being compiled, but not the CPU with the warm-up runs; other experiments compile
          // graphs of their own: stop warming first.
          if (op === 'trace') {
            this.warming?.runs.abort();
            const prepared = await this.joinPrepared(input, onProgress, signal);
            if (prepared) return prepared as never;
          } else await this.stopWarming();
          return fn(model, input, { onProgress, signal });
        });
      } finally {
        this.done(id);
      }
    });
  }

  clearCache(): Promise<Result<number>> {
    return guard(clearModelCache);
  }

  cacheUsage(): Promise<Result<{ files: number; bytes: number }>> {
    return guard(modelCacheUsage);
  }
}

export function softmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i]! - max);
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

function topK(values: Float64Array, k: number): number[] {
  return Array.from(values.keys()).sort((a, b) => values[b]! - values[a]!).slice(0, k);
}
