// A bare page that runs the engine in the browser for the Node-vs-Chromium parity test (e2e/engine-parity.test.ts):
// window.patchbayRun(provider, modelBase, doc) opens a model over HTTP and runs an experiment document.
import { httpAccess } from '../../engine/io/http-access.js';
import { fetchModelFiles } from '../../engine/model/fetch-model-files.js';
import { loadModel, type LoadedModel } from '../../engine/load/load-model.js';
import { ExperimentSchema } from '../../engine/experiment/experiment-schema.js';
import { runExperiment } from '../../engine/experiment/run-experiment.js';
import { configureRuntime, webgpuAvailable, type ExecutionProvider } from '../../engine/runtime/ort-runtime.js';
import { graphCache } from '../../engine/compile/graph-cache.js';

declare global {
  interface Window {
    patchbayRun: (provider: ExecutionProvider, modelBase: string, doc: unknown, modelFile?: string) => Promise<unknown>;
    patchbayWebgpu: () => Promise<boolean>;
  }
}

window.patchbayWebgpu = webgpuAvailable;
const models = new Map<string, LoadedModel>(); // one load per model and page: several documents run on it
window.patchbayRun = async (provider, modelBase, doc, modelFile = 'model.onnx') => {
  configureRuntime({ provider, numThreads: 1 });
  let model = models.get(modelBase);
  if (!model) {
    model = loadModel(await fetchModelFiles(httpAccess(modelBase), modelBase, { modelFile }));
    models.set(modelBase, model);
  }
  const graph = await graphCache(model).get([], provider);
  const result = await runExperiment(model, ExperimentSchema.parse(doc));
  return { provider: graph.session.provider, ...result };
};
document.getElementById('status')!.textContent = 'ready';
