import { describe, expect, it } from 'vitest';
import { ModelProtoType } from '../onnx/onnx-schema.js';
import { configureRuntime, Session } from './ort-runtime.js';
import { startRuntime } from './start-runtime.js';

/** y = x + 1 over two floats. */
function addOne(): Uint8Array {
  return ModelProtoType.encode(ModelProtoType.fromObject({
    ir_version: 8, opset_import: [{ domain: '', version: 17 }],
    graph: {
      name: 'g', node: [{ op_type: 'Add', input: ['x', 'one'], output: ['y'] }],
      initializer: [{ name: 'one', data_type: 1, dims: [1], float_data: [1] }],
      input: [{ name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 2 }] } } } }],
      output: [{ name: 'y', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 2 }] } } } }],
    },
  })).finish();
}

describe('startRuntime (onnxruntime-web, as in the browser)', () => {
  it('starts the runtime once while a model session is created beside it (the page opens a model at once)', async () => {
    configureRuntime({ provider: 'wasm', numThreads: 1, runtime: 'web' });
    // Both at once, as the page does. In Chromium, onnxruntime-web refused the second while its wasm initialized
    // ("multiple calls to 'initializeWebAssembly()'"; e2e/loading caught it); Node's build does not, so here this
    // checks that both complete and compute.
    const first = startRuntime();
    const creating = Session.create({ graphBytes: addOne(), externalData: [] });
    expect(startRuntime()).toBe(first); // one start per runtime and provider
    await expect(first).resolves.toBe(true); // the one-node session was created and ran
    const s = await creating;
    const out = await s.run({ x: { data: new Float32Array([2, -3]), dims: [2] } }, ['y']);
    expect([...out.y!.data]).toEqual([3, -2]);
    await s.release();
  });
});
