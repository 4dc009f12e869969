// Orthonormalisation, seeded sampling and Adam against hand computations.
import { describe, expect, it } from 'vitest';
import { Adam } from './adam.js';
import { gaussian, orthonormalize, randomOrthonormal } from './linalg.js';
import { seededRandom } from './test-support.js';

describe('linear algebra for training', () => {
  it('orthonormalize gives QR’s Q: orthonormal columns, same span, positive diagonal of R', () => {
    const m = Float64Array.from([3, 1, 4, 1, 0, 2]); // 3×2
    const q = orthonormalize(Float64Array.from(m), 3, 2);
    // hand computation: q1 = (3, 4, 0)/5; q2 ∝ (1, 1, 2) − (7/5)·q1 = (0.16, −0.12, 2)
    expect([q[0], q[2], q[4]].map((x) => x! * 5)).toEqual([3, 4, 0].map((x) => expect.closeTo(x, 12)));
    const n = Math.hypot(0.16, -0.12, 2);
    expect([q[1], q[3], q[5]]).toEqual([0.16 / n, -0.12 / n, 2 / n].map((x) => expect.closeTo(x, 12)));
  });

  it('randomOrthonormal is orthonormal and reproducible from the seed', () => {
    const a = randomOrthonormal(16, 3, seededRandom(5));
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      let dot = 0;
      for (let r = 0; r < 16; r++) dot += a[r * 3 + i]! * a[r * 3 + j]!;
      expect(dot).toBeCloseTo(i === j ? 1 : 0, 12);
    }
    expect(randomOrthonormal(16, 3, seededRandom(5))).toEqual(a);
    expect(randomOrthonormal(16, 3, seededRandom(6))).not.toEqual(a);
  });

  it('gaussian samples have mean ≈ 0 and variance ≈ 1', () => {
    const g = gaussian(seededRandom(9));
    const xs = Array.from({ length: 20000 }, g);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('Adam: the first step moves each coordinate by lr against the gradient’s sign; it minimises a quadratic', () => {
    const p = Float64Array.from([1, -2]);
    const adam = new Adam(2, { lr: 0.1 });
    adam.step(p, [0.5, -3]);
    // m̂ = g, v̂ = g² after bias correction: the step is lr · g / (|g| + ε)
    expect(p[0]).toBeCloseTo(0.9, 6);
    expect(p[1]).toBeCloseTo(-1.9, 6);
    const q = Float64Array.from([3]);
    const opt = new Adam(1, { lr: 0.05 });
    for (let i = 0; i < 500; i++) opt.step(q, [2 * (q[0]! - 1)]); // minimise (q − 1)²
    expect(q[0]).toBeCloseTo(1, 2);
  });
});
