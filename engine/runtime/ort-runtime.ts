// The one module that talks to onnxruntime: picks the runtime (onnxruntime-node's native CPU kernels in Node,
// onnxruntime-web everywhere else and as a Node fallback), creates sessions, and runs them one at a time through a
// queue with a priority lane. Stage: runtime. WebGPU in browsers that have an adapter, wasm (or native CPU) elsewhere.
// In browsers the wasm provider loads onnxruntime-web's wasm-only build: the WebGPU (JSEP) build's binary is twice
// the size and its first session took 15–30 s to start in Chromium here, against 2–5 s (docs/benchmarks.md).
import * as ortWeb from 'onnxruntime-web';
import { PatchbayError } from '../errors.js';
import type { RuntimeModel } from '../onnx/model-file.js';
import type { FloatTensor } from './tensor.js';
import { RunQueue, type RunPriority } from './run-queue.js';

export type ExecutionProvider = 'wasm' | 'webgpu';
/** 'native': onnxruntime-node (Node only); 'web': onnxruntime-web (wasm / WebGPU). */
export type RuntimeKind = 'native' | 'web';
export type { RunPriority } from './run-queue.js';

export interface RuntimeSettings {
  /** In Node with the native runtime, 'wasm' means onnxruntime-node's CPU provider. */
  provider: ExecutionProvider;
  /** Intra-op threads (wasm threads need cross-origin isolation in browsers). */
  numThreads: number;
  /** Where the .wasm files are served from (browser builds serve them from our own origin). */
  wasmPaths?: string;
  /** Default: 'native' in Node, 'web' elsewhere. */
  runtime?: RuntimeKind;
}

export type FeedValue = FloatTensor | { int64: BigInt64Array; dims: number[] } | { bool: Uint8Array; dims: number[] }
  | { int32: Int32Array; dims: number[] } | { float16: Uint16Array; dims: number[] };

/** The part of the onnxruntime API both packages share (both re-export onnxruntime-common's classes). */
type OrtApi = Pick<typeof ortWeb, 'InferenceSession' | 'Tensor' | 'env'>;

/** The native package's name, kept in a variable so that bundlers never try to include it in a browser build. */
const NATIVE_PACKAGE = 'onnxruntime-node';

let configured: RuntimeSettings | undefined;
let nativeApi: Promise<OrtApi> | undefined;
let wasmOnlyApi: Promise<OrtApi> | undefined;
/** Up to this size (graph + weights), onnxruntime-web's wasm sessions skip graph optimization: for the bundled
 *  models its optimizer (running as cold wasm on a first visit) cost more than it saved: starting the runtime and
 *  creating the 9 trace stages took 2.35 s of CPU with it and 1.8 s without, the whole graph 0.84 s against 0.25 s,
 *  and a trace ran no slower (1.06–1.14 s against 0.94–1.08 s; docs/benchmarks.md). Larger models run long enough
 *  for the fused kernels to pay. WebGPU keeps the optimizer (its layout passes). */
const UNOPTIMIZED_MAX_BYTES = 64 * 2 ** 20;

function optimizationLevel(kind: RuntimeKind, provider: ExecutionProvider, model: RuntimeModel): 'disabled' | 'all' {
  if (kind !== 'web' || provider !== 'wasm') return 'all';
  const bytes = model.externalData.reduce((sum, f) => sum + f.data.byteLength, model.graphBytes.byteLength);
  return bytes <= UNOPTIMIZED_MAX_BYTES ? 'disabled' : 'all';
}

/** Each build's first session creation: onnxruntime-web initializes its wasm there and throws ("multiple calls to
 *  'initializeWebAssembly()'") when a second session is created meanwhile, so later ones wait for it. */
const initialized = new Map<OrtApi, Promise<unknown>>();
/** Every run of every session goes through one queue: onnxruntime-web's WebGPU backend fails ("Session already
 *  started") when two sessions run at once, and the CPU runs on one thread pool anyway. */
const queue = new RunQueue();

export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string' && typeof (globalThis as { window?: unknown }).window === 'undefined';
}

/** Applies settings before the first session; later calls may change the provider and the runtime. */
export function configureRuntime(settings: RuntimeSettings): void {
  if (settings.runtime === 'native' && !isNode()) {
    throw new PatchbayError('RUNTIME_FAILED', 'the native runtime (onnxruntime-node) exists only in Node: use runtime "web" here');
  }
  if (!configured) applyWebEnv(ortWeb, settings);
  configured = settings;
}

/** onnxruntime-web's settings; each build (wasm-only, WebGPU) has its own env, read when its first session starts. */
function applyWebEnv(ort: OrtApi, settings: RuntimeSettings): void {
  ort.env.wasm.numThreads = settings.numThreads;
  if (settings.wasmPaths) ort.env.wasm.wasmPaths = settings.wasmPaths;
  ort.env.logLevel = 'error';
}

export function runtimeSettings(): RuntimeSettings {
  return configured ?? { provider: 'wasm', numThreads: 1 };
}

/** The runtime sessions are created with now. */
export function runtimeKind(settings = runtimeSettings()): RuntimeKind {
  return settings.runtime ?? (isNode() ? 'native' : 'web');
}

function api(kind: RuntimeKind, provider: ExecutionProvider): Promise<OrtApi> {
  // Node's onnxruntime-web entry is wasm-only already; in browsers WebGPU needs the JSEP build (the default entry).
  if (kind === 'web' && (provider === 'webgpu' || isNode())) return Promise.resolve(ortWeb);
  if (kind === 'web') {
    wasmOnlyApi ??= import('onnxruntime-web/wasm').then((m) => {
      applyWebEnv(m, configured ?? runtimeSettings());
      return m;
    });
    return wasmOnlyApi.catch((e: Error) => {
      wasmOnlyApi = undefined;
      throw new PatchbayError('RUNTIME_FAILED', `onnxruntime-web's wasm build could not be loaded: ${e.message}`);
    });
  }
  nativeApi ??= (import(/* @vite-ignore */ NATIVE_PACKAGE) as Promise<OrtApi & { default?: OrtApi }>).then((m) => {
    const ort = m.InferenceSession ? m : m.default!;
    ort.env.logLevel = 'error';
    return ort;
  });
  return nativeApi.catch((e: Error) => {
    nativeApi = undefined;
    throw new PatchbayError('RUNTIME_FAILED', `onnxruntime-node could not be loaded (${e.message}): reinstall it (npm install), or use --runtime web`);
  });
}

export async function webgpuAvailable(): Promise<boolean> {
  const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } } | undefined)?.gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) != null;
  } catch {
    return false;
  }
}

export interface SessionOptions {
  provider?: ExecutionProvider;
}

export class Session {
  private constructor(private readonly inner: ortWeb.InferenceSession, private readonly ort: OrtApi,
    readonly provider: ExecutionProvider, readonly runtime: RuntimeKind) {}

  static async create(model: RuntimeModel, options: ExecutionProvider | SessionOptions = {}): Promise<Session> {
    const o: SessionOptions = typeof options === 'string' ? { provider: options } : options;
    if (!configured) configureRuntime(runtimeSettings());
    const settings = runtimeSettings();
    const provider = o.provider ?? settings.provider;
    const kind = runtimeKind(settings);
    if (kind === 'native' && provider === 'webgpu') throw new PatchbayError('RUNTIME_FAILED', 'WebGPU needs a browser: use provider wasm in Node');
    const ort = await api(kind, provider);
    const threads = kind === 'native' ? { intraOpNumThreads: settings.numThreads, interOpNumThreads: 1, executionMode: 'sequential' as const } : {};
    try {
      const first = initialized.get(ort);
      if (first) await first.catch(() => undefined);
      const creating = ort.InferenceSession.create(model.graphBytes, {
        executionProviders: [kind === 'native' ? 'cpu' : provider],
        externalData: model.externalData,
        graphOptimizationLevel: optimizationLevel(kind, provider, model),
        ...threads,
      });
      // A failed first creation (a bad graph) still initialized the runtime, or left it for the next one to retry.
      if (!first) initialized.set(ort, creating);
      const inner = await creating;
      return new Session(inner, ort, provider, kind);
    } catch (e) {
      const where = kind === 'native' ? 'native CPU' : provider;
      throw new PatchbayError('RUNTIME_FAILED', `onnxruntime could not create a ${where} session: ${(e as Error).message}`);
    }
  }

  get inputNames(): readonly string[] { return this.inner.inputNames; }
  get outputNames(): readonly string[] { return this.inner.outputNames; }

  /** Runs with the given feeds and returns the requested float outputs. Runs are queued, never concurrent; 'high'
   *  priority runs (a next-token preview) go before queued 'normal' ones (the runs of a trace or sweep). */
  run(feeds: Record<string, FeedValue>, fetches: string[], priority: RunPriority = 'normal'): Promise<Record<string, FloatTensor>> {
    return queue.push(() => this.runNow(feeds, fetches), priority);
  }

  private async runNow(feeds: Record<string, FeedValue>, fetches: string[]): Promise<Record<string, FloatTensor>> {
    const T = this.ort.Tensor;
    const ortFeeds: Record<string, ortWeb.Tensor> = {};
    for (const [name, v] of Object.entries(feeds)) {
      if ('int64' in v) ortFeeds[name] = new T('int64', v.int64, v.dims);
      else if ('bool' in v) ortFeeds[name] = new T('bool', v.bool, v.dims);
      else if ('int32' in v) ortFeeds[name] = new T('int32', v.int32, v.dims);
      else if ('float16' in v) ortFeeds[name] = new T('float16', v.float16, v.dims);
      else ortFeeds[name] = new T('float32', v.data, v.dims);
    }
    let out: ortWeb.InferenceSession.ReturnType;
    try {
      out = await this.inner.run(ortFeeds, fetches);
    } catch (e) {
      throw new PatchbayError('RUNTIME_FAILED', `onnxruntime run failed: ${(e as Error).message}`);
    }
    const result: Record<string, FloatTensor> = {};
    for (const name of fetches) {
      const t = out[name]!;
      // getData copies GPU-resident outputs back; for CPU tensors it is the data itself.
      const data = (await t.getData()) as Float32Array;
      result[name] = { data: data.slice(), dims: [...t.dims] };
      t.dispose();
    }
    return result;
  }

  async release(): Promise<void> {
    await queue.idle();
    await this.inner.release();
  }
}
