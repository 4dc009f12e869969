// Shared by CLI commands: configure the wasm runtime and open a model reference on this machine.
import { bundledIds, nodeResolver } from '../../engine/load/node-resolver.js';
import { openModel } from '../../engine/load/open-model.js';
import type { LoadedModel } from '../../engine/load/load-model.js';
import type { ModelVariant } from '../../engine/model/model-ref.js';
import { configureRuntime } from '../../engine/runtime/ort-runtime.js';

export async function openForCli(ref: string, opts: { threads?: string; variant?: string } = {}): Promise<LoadedModel> {
  configureRuntime({ provider: 'wasm', numThreads: Number(opts.threads ?? 2) });
  return openModel(ref, nodeResolver, { bundledIds: bundledIds(), variant: (opts.variant ?? 'fp32') as ModelVariant });
}
