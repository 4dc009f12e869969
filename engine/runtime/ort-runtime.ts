// The one module that imports onnxruntime-web: configures it, creates sessions, and queues every run so that only
// one executes at a time. Stage: runtime. WebGPU in browsers that have an adapter, wasm elsewhere.
import * as ort from 'onnxruntime-web';
import { PatchbayError } from '../errors.js';
import type { RuntimeModel } from '../onnx/model-file.js';
import type { FloatTensor } from './tensor.js';

export type ExecutionProvider = 'wasm' | 'webgpu';

export interface RuntimeSettings {
  provider: ExecutionProvider;
  /** wasm threads; onnxruntime's default is 1 in Node and needs cross-origin isolation in browsers. */
  numThreads: number;
  /** Where the .wasm files are served from (browser builds serve them from our own origin). */
  wasmPaths?: string;
}

export type FeedValue = FloatTensor | { int64: BigInt64Array; dims: number[] } | { bool: Uint8Array; dims: number[] };

let configured: RuntimeSettings | undefined;
/** Every run of every session goes through one queue: onnxruntime-web's WebGPU backend fails ("Session already
 *  started") when two sessions run at once, and wasm runs on one thread pool anyway. */
let runQueue: Promise<unknown> = Promise.resolve();

/** Applies settings before the first session; later calls may only change the provider. */
export function configureRuntime(settings: RuntimeSettings): void {
  if (!configured) {
    ort.env.wasm.numThreads = settings.numThreads;
    if (settings.wasmPaths) ort.env.wasm.wasmPaths = settings.wasmPaths;
    ort.env.logLevel = 'error';
  }
  configured = settings;
}

export function runtimeSettings(): RuntimeSettings {
  return configured ?? { provider: 'wasm', numThreads: 1 };
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

export class Session {
  private constructor(private readonly inner: ort.InferenceSession, readonly provider: ExecutionProvider) {}

  static async create(model: RuntimeModel, provider = runtimeSettings().provider): Promise<Session> {
    if (!configured) configureRuntime(runtimeSettings());
    try {
      const inner = await ort.InferenceSession.create(model.graphBytes, {
        executionProviders: [provider],
        externalData: model.externalData,
        graphOptimizationLevel: 'all',
      });
      return new Session(inner, provider);
    } catch (e) {
      throw new PatchbayError('RUNTIME_FAILED', `onnxruntime could not create a ${provider} session: ${(e as Error).message}`);
    }
  }

  get inputNames(): readonly string[] { return this.inner.inputNames; }
  get outputNames(): readonly string[] { return this.inner.outputNames; }

  /** Runs with the given feeds and returns the requested float outputs. Runs are queued, never concurrent. */
  run(feeds: Record<string, FeedValue>, fetches: string[]): Promise<Record<string, FloatTensor>> {
    const next = runQueue.then(() => this.runNow(feeds, fetches));
    runQueue = next.catch(() => undefined);
    return next;
  }

  private async runNow(feeds: Record<string, FeedValue>, fetches: string[]): Promise<Record<string, FloatTensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, v] of Object.entries(feeds)) {
      if ('int64' in v) ortFeeds[name] = new ort.Tensor('int64', v.int64, v.dims);
      else if ('bool' in v) ortFeeds[name] = new ort.Tensor('bool', v.bool, v.dims);
      else ortFeeds[name] = new ort.Tensor('float32', v.data, v.dims);
    }
    let out: ort.InferenceSession.ReturnType;
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
    await runQueue;
    await this.inner.release();
  }
}
