// Straightforward reference math for the rotated-space types, written the way pyvene computes them (rotate, mix
// coordinates, rotate back) rather than through the projection form the graph uses; tests compare the two.
import type { Matrix } from './params.js';

/** out = ((1 − w)⊙(x·R) + w⊙(s·R)) · R' where R' = Rᵀ unless given (R: F×n, w: n). */
export function rotateSwapBack(x: Float32Array, s: Float32Array, r: Matrix, w: ArrayLike<number>, back?: Matrix): Float32Array {
  const n = r.cols;
  const F = r.rows;
  const rx = new Float64Array(n);
  const rs = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    for (let f = 0; f < F; f++) {
      rx[j]! += x[f]! * r.data[f * n + j]!;
      rs[j]! += s[f]! * r.data[f * n + j]!;
    }
  }
  const mixed = rx.map((v, j) => (1 - w[j]!) * v + w[j]! * rs[j]!);
  const out = new Float32Array(F);
  const b = back ?? r;
  for (let f = 0; f < F; f++) {
    let acc = 0;
    for (let j = 0; j < n; j++) acc += mixed[j]! * b.data[f * n + j]!;
    out[f] = acc;
  }
  return out;
}

/** x + Σ_j w_j ((s − x)·W_j) W_j for W: F×r (low-rank: the complement of W's span is left alone). */
export function lowRankSwap(x: Float32Array, s: Float32Array, w: Matrix, weights: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(x);
  for (let j = 0; j < w.cols; j++) {
    if (!weights[j]) continue;
    let coord = 0;
    for (let f = 0; f < w.rows; f++) coord += (s[f]! - x[f]!) * w.data[f * w.cols + j]!;
    for (let f = 0; f < w.rows; f++) out[f]! += weights[j]! * coord * w.data[f * w.cols + j]!;
  }
  return out;
}
