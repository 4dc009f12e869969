// Building the (u, vt) pair of a projection term from a basis: x' = x + mask ⊙ ((s − x) · u · vt). For an
// orthonormal basis W and chosen columns, u = W[:, cols] and vt = uᵀ; a per-column weight w scales u's columns
// (Boundless, sigmoid masks); PCA's standardisation folds in as row scales. Stage: plan → feeds.
import type { Matrix } from './params.js';

export interface Projection {
  /** [F, k] row-major */
  u: Float32Array;
  /** [k, F] row-major */
  vt: Float32Array;
  k: number;
}

/**
 * Columns `cols` of `w` ([F, n]); u gets column weights `weight` and row scales `rowIn`, vt row scales `rowOut`:
 *   u[f][j] = w[f][c_j] · weight[j] · rowIn[f]      vt[j][f] = w[f][c_j] · rowOut[f]
 */
export function projectionFromColumns(w: Matrix, cols: number[], opts: { weight?: number[]; rowIn?: number[]; rowOut?: number[] } = {}): Projection {
  const F = w.rows;
  const k = cols.length;
  const u = new Float32Array(F * k);
  const vt = new Float32Array(k * F);
  for (let f = 0; f < F; f++) {
    for (let j = 0; j < k; j++) {
      const v = w.data[f * w.cols + cols[j]!]!;
      u[f * k + j] = v * (opts.weight?.[j] ?? 1) * (opts.rowIn?.[f] ?? 1);
      vt[j * F + f] = v * (opts.rowOut?.[f] ?? 1);
    }
  }
  return { u, vt, k };
}

export function transpose(m: Matrix): Matrix {
  const data = new Float32Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) data[c * m.rows + r] = m.data[r * m.cols + c]!;
  return { rows: m.cols, cols: m.rows, data };
}

export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
