// A seeded random orthogonal matrix for tests and dev checks that need rotation parameters (Gram–Schmidt on
// Gaussian columns from the engine's seeded generator, so every run and every tool gets the same matrix).
import { seededRng } from '../util/random.js';

/** A seeded orthogonal n×n matrix as nested rows: R[r][c], columns orthonormal. */
export function orthogonal(n: number, seed: number): number[][] {
  const rng = seededRng(seed);
  const cols: number[][] = [];
  while (cols.length < n) {
    const v = Array.from({ length: n }, () => rng.gaussian());
    for (const c of cols) {
      const dot = v.reduce((a, x, i) => a + x * c[i]!, 0);
      c.forEach((ci, i) => { v[i]! -= dot * ci; });
    }
    const norm = Math.hypot(...v);
    cols.push(v.map((x) => x / norm));
  }
  return Array.from({ length: n }, (_, r) => cols.map((c) => c[r]!));
}
