// The sampler against hand computations: greedy, temperature, top-k, top-p, and seeded reproducibility.
import { describe, expect, it } from 'vitest';
import { seededRng, type Rng } from '../../util/random.js';
import { checkSampling, chooseToken, filtered, softmax } from './sampling.js';

const fixed = (u: number): Rng => ({ uniform: () => u, gaussian: () => 0 });

describe('chooseToken', () => {
  const logits = [Math.log(0.1), Math.log(0.2), Math.log(0.3), Math.log(0.4)]; // probabilities 0.1 0.2 0.3 0.4

  it('greedy takes the argmax (ties → lower id) and reports its model probability', () => {
    expect(chooseToken(logits, {}, fixed(0.99))).toEqual({ id: 3, prob: expect.closeTo(0.4, 12) });
    expect(chooseToken([1, 5, 5, 0], { temperature: 0 }, fixed(0)).id).toBe(1);
  });

  it('samples by inverse CDF over tokens sorted by probability', () => {
    // Sorted: 3 (0.4), 2 (0.3), 1 (0.2), 0 (0.1); u = 0.5 lands in token 2's interval [0.4, 0.7).
    expect(chooseToken(logits, { temperature: 1 }, fixed(0.5)).id).toBe(2);
    expect(chooseToken(logits, { temperature: 1 }, fixed(0.95)).id).toBe(0);
    // top-k 2 keeps {3: 0.4, 2: 0.3}; u·0.7 = 0.63 ≥ 0.4 → token 2, whose model probability is still 0.3.
    expect(chooseToken(logits, { temperature: 1, topK: 2 }, fixed(0.9))).toEqual({ id: 2, prob: expect.closeTo(0.3, 12) });
    // top-p 0.5 keeps {3, 2} (0.4 < 0.5 ≤ 0.7): any u gives 3 or 2.
    expect(chooseToken(logits, { temperature: 1, topP: 0.5 }, fixed(0.999)).id).toBe(2);
  });

  it('temperature sharpens or flattens: softmax(l / t) by hand', () => {
    const p = softmax([0, Math.log(2)], 0.5); // exp(0)=1, exp(2 ln 2)=4 → 0.2, 0.8
    expect(p[0]).toBeCloseTo(0.2, 12);
    expect(p[1]).toBeCloseTo(0.8, 12);
  });

  it('top-k then top-p on the renormalised top-k mass, at least one token kept', () => {
    const probs = Float64Array.from([0.1, 0.2, 0.3, 0.4]);
    expect(filtered(probs, 0, 1).kept.map(([id]) => id)).toEqual([3, 2, 1, 0]);
    expect(filtered(probs, 3, 1).total).toBeCloseTo(0.9, 12);
    // top-k 2 → {0.4, 0.3}, renormalised 4/7 ≈ 0.571 ≥ 0.5 → only token 3.
    expect(filtered(probs, 2, 0.5).kept).toEqual([[3, 0.4]]);
    expect(filtered(probs, 0, 0.01).kept).toEqual([[3, 0.4]]);
  });

  it('the same seed draws the same tokens', () => {
    const draw = (seed: number) => {
      const rng = seededRng(seed);
      return Array.from({ length: 20 }, () => chooseToken(logits, { temperature: 1 }, rng).id);
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('rejects options out of range with a coded error', () => {
    expect(() => checkSampling({ temperature: -1 })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => checkSampling({ topP: 0 })).toThrow(/top-p 0 is not in/);
    expect(() => checkSampling({ topK: 1.5 })).toThrow(/top-k/);
    expect(() => checkSampling({ temperature: 0.7, topK: 40, topP: 0.9 })).not.toThrow();
  });
});
