// Test helpers for gradients: the cross-entropy at the last position in float64, and a central
// finite-difference check along a random direction. Stage: tests of training.
import type { FloatTensor } from '../runtime/tensor.js';
export { seededRandom } from './linalg.js';

/** Mean over rows of −log softmax(logits[b, last])[labels[b]], in float64. */
export function crossEntropyLast(logits: FloatTensor, labels: number[]): number {
  const [b, s, v] = logits.dims as [number, number, number];
  let total = 0;
  for (let i = 0; i < b; i++) {
    const row = logits.data.subarray((i * s + s - 1) * v, (i * s + s) * v);
    let m = -Infinity;
    for (const x of row) m = Math.max(m, x);
    let z = 0;
    for (const x of row) z += Math.exp(x - m);
    total += -(row[labels[i]!]! - m - Math.log(z));
  }
  return total / b;
}

/**
 * ⟨∇loss, d⟩ from the analytic gradient and from central differences (loss(θ + h·d) − loss(θ − h·d)) / 2h, with d a
 * random direction over all coordinates of input `name`. The loss is evaluated in float64 from the graph's fp32
 * logits, so the difference quotient carries fp32 rounding of about 1e-7 / h.
 */
export async function directionalCheck(feeds: Record<string, FloatTensor>, name: string, grad: FloatTensor,
  loss: (f: Record<string, FloatTensor>) => Promise<number>, rnd: () => number, h: number): Promise<{ analytic: number; numeric: number }> {
  const base = feeds[name]!;
  const dir = Float64Array.from(base.data, () => rnd());
  let analytic = 0;
  for (let i = 0; i < dir.length; i++) analytic += dir[i]! * grad.data[i]!;
  const moved = (sign: number) => ({ ...feeds, [name]: { data: Float32Array.from(base.data, (x, i) => x + sign * h * dir[i]!), dims: base.dims } });
  const numeric = ((await loss(moved(1))) - (await loss(moved(-1)))) / (2 * h);
  return { analytic, numeric };
}
