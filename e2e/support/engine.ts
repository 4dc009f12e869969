// The engine in Node, as the browser tests' reference: the same model, options and code path the worker runs,
// computed with onnxruntime-web's Node build (wasm). Expected values come from here, never from fixtures.
import { openModel } from '../../engine/load/open-model';
import { bundledIds, nodeResolver } from '../../engine/load/node-resolver';
import type { LoadedModel } from '../../engine/load/load-model';

const cache = new Map<string, Promise<LoadedModel>>();

export function nodeModel(id: string): Promise<LoadedModel> {
  let m = cache.get(id);
  if (!m) {
    m = openModel(id, nodeResolver, { bundledIds: bundledIds() });
    cache.set(id, m);
  }
  return m;
}
