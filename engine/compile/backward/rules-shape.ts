// Gradient rules of ops that move values without arithmetic: reshapes, transposes, Split/Concat, Slice, Expand.
// Stage: compile (backward graph). Each is the adjoint of a re-indexing: reshape back, transpose by the inverse
// permutation, concatenate what was split, split what was concatenated, pad with zeros what was sliced away.
import type { GradRule } from './rule-types.js';
import { g0, outRank, unsupported } from './rule-types.js';
import { attrInt, attrInts, intAttr, intsAttr } from './emitter.js';

const reshapeBack: GradRule = (c) => [c.e.op('Reshape', [g0(c), c.e.shape(c.node.input[0]!)]), undefined];

const expand: GradRule = (c) => [c.e.unbroadcast(g0(c), c.node.input[0]!, outRank(c)), undefined];

const transpose: GradRule = (c) => {
  const perm = intsAttr(c.node, 'perm');
  if (!perm) return [c.e.op('Transpose', [g0(c)])]; // the default reverses the axes: its own inverse
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => { inverse[p] = i; });
  return [c.e.op('Transpose', [g0(c)], [attrInts('perm', inverse)])];
};

const split: GradRule = (c) => {
  const axis = intAttr(c.node, 'axis', 0);
  const parts = c.node.output.map((o, i) => c.gy[i] ?? c.e.zerosLike(o));
  return [c.e.op('Concat', parts, [attrInt('axis', axis)]), undefined];
};

const concat: GradRule = (c) => {
  const axis = intAttr(c.node, 'axis', 0);
  const sizes = c.node.input.map((v) => c.e.op('Gather', [c.e.shape(v), c.e.i64([axis])]));
  const pieces = c.e.ops('Split', [g0(c), c.e.op('Concat', sizes, [attrInt('axis', 0)])], [attrInt('axis', axis)], c.node.input.length);
  return pieces.map((p, i) => (c.need[i] ? p : undefined));
};

/** Slice with unit steps: the gradient is gY padded with zeros before and after along each sliced axis. */
const slice: GradRule = (c) => {
  const [x, starts, ends, axesIn, stepsIn] = c.node.input as [string, string, string, string?, string?];
  const steps = stepsIn ? c.constant(stepsIn) : undefined;
  if (stepsIn && (!steps || steps.some((s) => s !== 1))) unsupported(c, 'only slices with steps of 1 (as constants) are handled');
  const axes = axesIn ? c.constant(axesIn) : c.constant(starts)?.map((_, i) => i);
  if (!axes) unsupported(c, 'the sliced axes are not constants');
  const e = c.e;
  const zero = e.i64([0]);
  const clamp = (v: string, dim: string) => {
    const wrapped = e.op('Where', [e.op('Less', [v, zero]), e.op('Add', [v, dim]), v]);
    return e.op('Min', [e.op('Max', [wrapped, zero]), dim]);
  };
  let h = g0(c);
  axes.forEach((axis, i) => {
    const at = e.i64([i]);
    const dim = e.op('Gather', [e.shape(x), e.i64([axis])]);
    const s = clamp(e.op('Gather', [starts, at]), dim);
    const end = e.op('Max', [clamp(e.op('Gather', [ends, at]), dim), s]);
    const after = e.op('Sub', [dim, end]);
    const shaped = (n: string) => e.zerosOfShape(e.op('ScatterElements', [e.shape(h), e.i64([axis]), n]));
    h = e.op('Concat', [shaped(s), h, shaped(after)], [attrInt('axis', axis)]);
  });
  return [h];
};

export const SHAPE_RULES: Record<string, GradRule> = {
  Reshape: reshapeBack, Flatten: reshapeBack, Squeeze: reshapeBack, Unsqueeze: reshapeBack,
  Expand: expand, Transpose: transpose, Split: split, Concat: concat, Slice: slice,
};
