// Checks, before a causal trace runs, that its settings fit: a valid memory budget, and a corrupted run whose
// states (every sample's keys and values at every layer, the noised embeddings) fit in that budget. Without this,
// `samples: 100000` grew to 6 GB and died in onnxruntime. Stage: runs (trace planning).
import { PatchbayError } from '../../errors.js';
import type { ModelDims } from '../../model/model-types.js';
import { DEFAULT_MEMORY_BUDGET_MB } from './run-common.js';

/** Bytes one corrupted sample holds for the whole trace: keys and values of every layer, the embedding delta and
 *  the residual stream, fp32, over `seq` tokens. */
export function corruptedBytesPerSample(dims: Pick<ModelDims, 'dModel' | 'nLayers'>, seq: number): number {
  return 4 * seq * dims.dModel * (2 * dims.nLayers + 2);
}

export function checkTraceBudget(dims: Pick<ModelDims, 'dModel' | 'nLayers'>, o: { samples: number; seq: number; memoryBudgetMB?: number }): void {
  const mb = o.memoryBudgetMB ?? DEFAULT_MEMORY_BUDGET_MB;
  if (typeof mb !== 'number' || !Number.isFinite(mb) || mb <= 0) {
    throw new PatchbayError('TRACE_INVALID', `the memory budget must be a positive number of MB; got ${String(o.memoryBudgetMB)}`, 'memoryBudgetMB');
  }
  const perSample = corruptedBytesPerSample(dims, o.seq);
  const need = perSample * o.samples;
  if (need <= mb * 2 ** 20) return;
  const fit = Math.max(0, Math.floor((mb * 2 ** 20) / perSample));
  throw new PatchbayError('TRACE_INVALID',
    `${o.samples} samples of ${o.seq} tokens need about ${formatMB(need)} for the corrupted run's states; the memory budget is ${formatMB(mb * 2 ** 20)}: ` +
    `use at most ${fit} samples, or raise the budget (--memory-mb ${Math.ceil(need / 2 ** 20)})`, 'samples');
}

function formatMB(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GB` : `${Math.ceil(bytes / 2 ** 20)} MB`;
}
