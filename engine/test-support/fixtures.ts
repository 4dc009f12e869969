// Test helpers: the exporter-made fixtures in ../shared/testdata/onnx-real and their PyTorch reference values.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../load/node-resolver.js';
import { loadModel, type LoadedModel } from '../load/load-model.js';
import { configureRuntime, runtimeSettings } from '../runtime/ort-runtime.js';

export const TESTDATA = join(REPO_ROOT, '../shared/testdata/onnx-real');
export const FIXTURE_FAMILIES = ['tiny-gpt2', 'tiny-gpt-neox'] as const;
export const FIXTURE_FILES = ['model.onnx', 'model_opset14.onnx', 'model_opset14_quantized.onnx', 'model_opset14_q4.onnx', 'decoder_model_merged.onnx'] as const;

export function readBytes(path: string): Uint8Array {
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Loads a fixture; the runtime kind chosen before (configureRuntime's `runtime`) is kept. */
export function loadFixture(family: string, file = 'model.onnx'): LoadedModel {
  configureRuntime({ provider: 'wasm', numThreads: 1, runtime: runtimeSettings().runtime });
  const dir = join(TESTDATA, 'generated', family);
  return loadModel({ name: `${family}/${file}`, model: readBytes(join(dir, file)), config: JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) });
}

export interface FixtureReference {
  input_ids: number[][];
  logits: number[][][];
  sites: Record<string, { onnx_value: string; shape: number[]; data: unknown }>;
  interventions: {
    zero_head: { logits: number[][][] };
    steer_block_out: { logits: number[][][]; steer_vector: number[] };
  };
}

export function fixtureReference(family: string): FixtureReference {
  return JSON.parse(readFileSync(join(TESTDATA, 'generated', family, 'reference.json'), 'utf8')) as FixtureReference;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
