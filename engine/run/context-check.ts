// The one check that an input fits the model before anything runs: a prompt longer than the model's context
// (n_positions / max_position_embeddings) fails in onnxruntime with raw text, or silently runs past the trained
// positions (rotary models). Used by experiment planning, trace options and forward. Stage: runs (input side).
import { PatchbayError } from '../errors.js';
import type { ModelDims } from '../model/model-types.js';

/** Throws PROMPT_TOO_LONG when `tokens` exceeds the model's context; an unknown context (undefined) is not checked. */
export function checkContext(dims: Pick<ModelDims, 'contextLength'>, tokens: number, what = 'the prompt', path?: string): void {
  const limit = dims.contextLength;
  if (limit === undefined || tokens <= limit) return;
  throw new PatchbayError('PROMPT_TOO_LONG',
    `${what} is ${tokens} tokens long; this model reads at most ${limit} tokens (its context length): shorten it by ${tokens - limit} tokens`, path);
}
