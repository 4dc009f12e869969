// Gradient rules of MatMul and Gemm. Stage: compile (backward graph).
//   Y = A·B:                   gA = gY·Bᵀ, gB = Aᵀ·gY  (batched over leading axes, summed back where broadcast)
//   Y = α·op(A)·op(B) + β·C:   g op(A) = α·gY·op(B)ᵀ, g op(B) = α·op(A)ᵀ·gY, gC = β·gY
import type { GradContext, GradRule } from './rule-types.js';
import { g0, outRank, unsupported } from './rule-types.js';
import { attrInts, floatAttr, intAttr } from './emitter.js';

/** Swaps the last two axes of a value of rank r. */
function swapLast(c: GradContext, v: string, r: number): string {
  const perm = Array.from({ length: r }, (_, i) => i);
  perm[r - 1] = r - 2;
  perm[r - 2] = r - 1;
  return c.e.op('Transpose', [v], [attrInts('perm', perm)]);
}

const matmul: GradRule = (c) => {
  const [a, b] = c.node.input as [string, string];
  const ra = c.e.rank(a);
  const rb = c.e.rank(b);
  if (ra < 2 || rb < 2) unsupported(c, `a MatMul of rank ${ra} × ${rb} (vectors are not handled)`);
  const g = g0(c);
  const r = outRank(c);
  return [
    c.need[0] ? c.e.unbroadcast(c.e.op('MatMul', [g, swapLast(c, b, rb)]), a, r) : undefined,
    c.need[1] ? c.e.unbroadcast(c.e.op('MatMul', [swapLast(c, a, ra), g]), b, r) : undefined,
  ];
};

const gemm: GradRule = (c) => {
  const [a, b, bias] = c.node.input as [string, string, string | undefined];
  const alpha = floatAttr(c.node, 'alpha', 1);
  const beta = floatAttr(c.node, 'beta', 1);
  const transA = intAttr(c.node, 'transA', 0) === 1;
  const transB = intAttr(c.node, 'transB', 0) === 1;
  const T = (v: string) => swapLast(c, v, 2);
  const g = alpha === 1 ? g0(c) : c.e.op('Mul', [g0(c), c.e.f32(alpha)]);
  const opA = transA ? T(a) : a;
  const opB = transB ? T(b) : b;
  let ga: string | undefined;
  let gb: string | undefined;
  if (c.need[0]) {
    const gOpA = c.e.op('MatMul', [g, T(opB)]);
    ga = transA ? T(gOpA) : gOpA;
  }
  if (c.need[1]) {
    const gOpB = c.e.op('MatMul', [T(opA), g]);
    gb = transB ? T(gOpB) : gOpB;
  }
  const gc = bias && c.need[2] ? c.e.unbroadcast(beta === 1 ? g0(c) : c.e.op('Mul', [g0(c), c.e.f32(beta)]), bias, 2) : undefined;
  return [ga, gb, gc];
};

export const LINEAR_RULES: Record<string, GradRule> = { MatMul: matmul, Gemm: gemm };
