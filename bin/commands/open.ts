// Shared by CLI commands: choose and configure the runtime (onnxruntime-node's native kernels by default,
// onnxruntime-web's wasm with --runtime web) and open a model reference on this machine.
import { PatchbayError } from '../../engine/errors.js';
import { nodeOpenOptions, nodeResolver } from '../../engine/load/node-resolver.js';
import { openModel } from '../../engine/load/open-model.js';
import type { LoadedModel } from '../../engine/load/load-model.js';
import type { ModelVariant } from '../../engine/model/model-ref.js';
import { configureRuntime, type RuntimeKind } from '../../engine/runtime/ort-runtime.js';

/** The --runtime option as commander's (flags, description, default). */
export const RUNTIME_OPTION = ['--runtime <kind>', 'onnxruntime: native (onnxruntime-node) or web (onnxruntime-web, wasm)', 'native'] as const;
export const THREADS_OPTION = ['--threads <n>', 'onnxruntime CPU threads', '2'] as const;

export interface RuntimeFlags { threads?: string; runtime?: string }

/** Configures the runtime from --runtime and --threads; rejects anything else with INPUT_INVALID. */
export function configureCliRuntime(flags: RuntimeFlags): void {
  const runtime = flags.runtime ?? 'native';
  if (runtime !== 'native' && runtime !== 'web') throw new PatchbayError('INPUT_INVALID', `--runtime must be native or web; got "${runtime}"`);
  const threads = Number(flags.threads ?? 2);
  if (!Number.isInteger(threads) || threads < 1) throw new PatchbayError('INPUT_INVALID', `--threads must be a whole number ≥ 1; got "${flags.threads}"`);
  configureRuntime({ provider: 'wasm', numThreads: threads, runtime: runtime as RuntimeKind });
}

export async function openForCli(ref: string, opts: RuntimeFlags & { variant?: string } = {}): Promise<LoadedModel> {
  configureCliRuntime(opts);
  return openModel(ref, nodeResolver, { ...nodeOpenOptions(), variant: (opts.variant ?? 'fp32') as ModelVariant });
}
