// The k most likely next tokens from a logits row, with softmax probabilities. Stage: results.
import type { TextTokenizer } from '../tokenizer.js';

export interface TokenProb {
  id: number;
  token: string | null;
  prob: number;
  logit: number;
}

export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i]! - max);
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

export function topK(logits: ArrayLike<number>, k: number, tokenizer?: TextTokenizer): TokenProb[] {
  const probs = softmax(logits);
  const ids = Array.from({ length: logits.length }, (_, i) => i).sort((a, b) => logits[b]! - logits[a]!).slice(0, k);
  return ids.map((id) => ({ id, token: tokenizer ? tokenizer.decode([id]) : null, prob: probs[id]!, logit: logits[id]! }));
}
