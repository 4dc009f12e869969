// A small trace whose result is dropped, run in the background once a small model is open. Browsers start wasm as
// baseline code and recompile a function optimized only after it has run for a while (V8's tiering; WebGPU builds
// its pipelines on first use): the first real trace then paid about twice the CPU of a second one. After this
// warm-up it pays close to the second's (docs/benchmarks.md). Stage: experiments (trace).
import type { LoadedModel } from '../../load/load-model.js';
import { causalTrace } from '../causal-trace.js';

/** Any tokenizer cuts this prompt; the subject is found by its text (options.ts). */
const PROMPT = 'The Eiffel Tower is located in the city of';
const SUBJECT = 'Eiffel Tower';

/** Runs every stage of the trace a few times on 3 noise samples (about a third of the quick start's work). Rejects
 *  with ABORTED when `signal` fires, between two runs; a model without a tokenizer is left alone. */
export async function warmUpTrace(model: LoadedModel, signal?: AbortSignal): Promise<void> {
  if (!model.tokenizer) return;
  const window = Math.max(1, Math.round(model.info.dims.nLayers / 4));
  await causalTrace(model, { prompt: PROMPT, subject: SUBJECT, samples: 3, seed: 0, window }, { signal });
}
