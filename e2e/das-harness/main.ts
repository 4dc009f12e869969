// A bare page that trains DAS in the browser (onnxruntime-web, wasm) for e2e/das-browser.test.ts and the timing in
// docs/das.md: window.patchbayDas(modelBase, pairs, options) opens a model over HTTP, trains the grid's cells and
// returns the per-cell losses and the time per step.
import { httpAccess } from '../../engine/io/http-access.js';
import { fetchModelFiles } from '../../engine/model/fetch-model-files.js';
import { loadModel } from '../../engine/load/load-model.js';
import { configureRuntime } from '../../engine/runtime/ort-runtime.js';
import { gridCells, tokenizePairs } from '../../engine/training/das-grid.js';
import { trainDas, type DasOptions } from '../../engine/training/das.js';

interface HarnessOptions extends Omit<DasOptions, 'onProgress' | 'signal'> { layers?: number[]; positions?: number[] | 'all' | 'last'; pairs?: number }

declare global {
  interface Window {
    patchbayDas: (modelBase: string, pairs: unknown, opts: HarnessOptions) => Promise<{ losses: number[][]; msPerStep: number; firstStepMs: number }>;
  }
}

window.patchbayDas = async (modelBase, rawPairs, opts) => {
  configureRuntime({ provider: 'wasm', numThreads: 1 });
  const model = loadModel(await fetchModelFiles(httpAccess(modelBase), modelBase, {}));
  const pairs = tokenizePairs(model, rawPairs).slice(0, opts.pairs ?? Infinity);
  const cells = gridCells(model, pairs, opts.layers ?? 'all', opts.positions ?? 'all');
  const stamps: number[] = [performance.now()];
  const trained = await trainDas(model, cells, pairs, { ...opts, onProgress: () => { stamps.push(performance.now()); } });
  const gaps = stamps.slice(1).map((t, i) => t - stamps[i]!);
  const later = gaps.slice(1);
  return { losses: trained.map((t) => t.losses), firstStepMs: gaps[0]!, msPerStep: later.reduce((a, b) => a + b, 0) / Math.max(1, later.length) };
};
document.getElementById('status')!.textContent = 'ready';
