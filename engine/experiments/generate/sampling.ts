// Choosing the next token from a logits row: greedy (argmax), or seeded sampling with temperature, top-k and top-p
// (nucleus), in that order, as Hugging Face's generate applies them. Stage: runs (generation).
import { PatchbayError } from '../../errors.js';
import type { Rng } from '../../util/random.js';

export interface SamplingOptions {
  /** 0 (the default) = greedy. */
  temperature?: number;
  /** Keep only the k most likely tokens (0 or absent = all). */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (1 or absent = all). */
  topP?: number;
}

export interface Choice {
  id: number;
  /** The chosen token's probability under the model's own distribution (softmax of the raw logits, temperature 1). */
  prob: number;
}

export function checkSampling(o: SamplingOptions): void {
  if (o.temperature !== undefined && !(o.temperature >= 0 && Number.isFinite(o.temperature))) {
    throw new PatchbayError('INPUT_INVALID', `temperature ${o.temperature} is not a number ≥ 0 (0 = greedy)`);
  }
  if (o.topK !== undefined && !(Number.isInteger(o.topK) && o.topK >= 0)) throw new PatchbayError('INPUT_INVALID', `top-k ${o.topK} is not a whole number ≥ 0 (0 = off)`);
  if (o.topP !== undefined && !(o.topP > 0 && o.topP <= 1)) throw new PatchbayError('INPUT_INVALID', `top-p ${o.topP} is not in (0, 1] (1 = off)`);
}

/** Picks a token. Greedy breaks ties towards the lower id; sampling draws one uniform number from `rng`. */
export function chooseToken(logits: ArrayLike<number>, o: SamplingOptions, rng: Rng): Choice {
  const probs = softmax(logits, 1);
  const t = o.temperature ?? 0;
  if (t === 0) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
    return { id: best, prob: probs[best]! };
  }
  const dist = filtered(softmax(logits, t), o.topK ?? 0, o.topP ?? 1);
  let u = rng.uniform() * dist.total;
  for (const [id, p] of dist.kept) {
    u -= p;
    if (u < 0) return { id, prob: probs[id]! };
  }
  const last = dist.kept[dist.kept.length - 1]![0];
  return { id: last, prob: probs[last]! };
}

/** Softmax of logits / t, in float64. */
export function softmax(logits: ArrayLike<number>, t: number): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp((logits[i]! - max) / t);
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** The tokens that survive top-k then top-p, most likely first (ties: lower id first), and their total mass. */
export function filtered(probs: Float64Array, topK: number, topP: number): { kept: [number, number][]; total: number } {
  const order = Array.from(probs.keys()).sort((a, b) => probs[b]! - probs[a]! || a - b);
  const k = topK > 0 ? Math.min(topK, order.length) : order.length;
  const kept: [number, number][] = [];
  let mass = 0;
  let kMass = 0;
  for (let i = 0; i < k; i++) kMass += probs[order[i]!]!;
  for (let i = 0; i < k; i++) {
    const id = order[i]!;
    kept.push([id, probs[id]!]);
    mass += probs[id]!;
    // top-p works on the top-k renormalised distribution, and always keeps at least one token.
    if (topP < 1 && mass / kMass >= topP) break;
  }
  return { kept, total: mass };
}
