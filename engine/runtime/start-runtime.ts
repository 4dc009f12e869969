// Starts onnxruntime before a model needs it: fetching and compiling its wasm binary and starting its threads took
// about a second of the page's first model open here (docs/benchmarks.md); started at once, that overlaps the
// page's own start and the model's download. Stage: runtime.
import { ModelProtoType } from '../onnx/onnx-schema.js';
import { runtimeSettings, Session } from './ort-runtime.js';

/** A one-node graph (y = Identity(x)): the cheapest session that makes onnxruntime load. */
function identityModel(): Uint8Array {
  const value = (name: string) => ({ name, type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 1 }] } } } });
  return ModelProtoType.encode(ModelProtoType.fromObject({
    ir_version: 8, opset_import: [{ domain: '', version: 17 }], producer_name: 'patchbay',
    graph: { name: 'start', node: [{ op_type: 'Identity', input: ['x'], output: ['y'] }], input: [value('x')], output: [value('y')] },
  })).finish();
}

const started = new Map<string, Promise<boolean>>();

/** Loads onnxruntime for the configured runtime and provider (once each) by creating and running a one-node
 *  session: true once it ran. Never rejects (false): a runtime that cannot start says why when the model's own
 *  session is created. */
export function startRuntime(): Promise<boolean> {
  const s = runtimeSettings();
  const key = `${s.runtime ?? ''}|${s.provider}`;
  let p = started.get(key);
  if (!p) {
    p = (async () => {
      const session = await Session.create({ graphBytes: identityModel(), externalData: [] }, { provider: s.provider });
      await session.run({ x: { data: new Float32Array([1]), dims: [1] } }, ['y']);
      await session.release();
      return true;
    })().catch(() => false);
    started.set(key, p);
  }
  return p;
}
