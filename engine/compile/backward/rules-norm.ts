// Gradient rules of normalisations and reductions: Softmax, LogSoftmax, LayerNormalization, ReduceMean, ReduceSum.
// Stage: compile (backward graph). Means are written as ReduceSum / count so the nodes are the same in every opset ≥ 13.
import type { GradRule } from './rule-types.js';
import { g0, unsupported } from './rule-types.js';
import { floatAttr, intAttr, intsAttr } from './emitter.js';

// y = softmax(x):  gx = y ⊙ (g − Σ g ⊙ y)
const softmax: GradRule = (c) => {
  const y = c.node.output[0]!;
  const axis = intAttr(c.node, 'axis', -1);
  const s = c.e.sumAxes(c.e.op('Mul', [g0(c), y]), [axis]);
  return [c.e.op('Mul', [y, c.e.op('Sub', [g0(c), s])])];
};

// y = log softmax(x):  gx = g − softmax(x) ⊙ Σ g
const logSoftmax: GradRule = (c) => {
  const axis = intAttr(c.node, 'axis', -1);
  const p = c.e.op('Exp', [c.node.output[0]!]);
  return [c.e.op('Sub', [g0(c), c.e.op('Mul', [p, c.e.sumAxes(g0(c), [axis])])])];
};

// y = x̂ ⊙ γ + β with x̂ = (x − μ) / σ over the axes from `axis` on:
//   gx = (1/σ) · (gx̂ − mean(gx̂) − x̂ ⊙ mean(gx̂ ⊙ x̂)),  gx̂ = g ⊙ γ
const layerNorm: GradRule = (c) => {
  if (c.need[1] || c.need[2]) unsupported(c, 'the scale or bias depends on a trained input');
  const [x, scale] = c.node.input as [string, string];
  const e = c.e;
  const r = e.rank(x);
  const from = intAttr(c.node, 'axis', -1);
  const axes = Array.from({ length: r - (from < 0 ? from + r : from) }, (_, i) => r - 1 - i).reverse();
  const eps = floatAttr(c.node, 'epsilon', 1e-5);
  const sum1 = e.sumAxes(x, axes);
  const count = e.op('Div', [e.sizeF(x), e.sizeF(sum1)]);
  const mean = (v: string) => e.op('Div', [e.sumAxes(v, axes), count]);
  const xc = e.op('Sub', [x, e.op('Div', [sum1, count])]);
  const rstd = e.op('Reciprocal', [e.op('Sqrt', [e.op('Add', [mean(e.op('Mul', [xc, xc])), e.f32(eps)])])]);
  const xhat = e.op('Mul', [xc, rstd]);
  const gxhat = e.op('Mul', [g0(c), scale]);
  const inner = e.op('Sub', [e.op('Sub', [gxhat, mean(gxhat)]), e.op('Mul', [xhat, mean(e.op('Mul', [gxhat, xhat]))])]);
  return [e.op('Mul', [rstd, inner])];
};

/** ReduceMean / ReduceSum: broadcast g back over the reduced axes (÷ count for the mean). */
const reduce = (isMean: boolean): GradRule => (c) => {
  const [x, axesIn] = c.node.input as [string, string?];
  if (axesIn && c.need[1]) unsupported(c, 'the axes depend on a trained input');
  const axes = intsAttr(c.node, 'axes') ?? (axesIn ? c.constant(axesIn) : undefined);
  if (axesIn && !axes) unsupported(c, 'the reduced axes are not constants');
  const keep = intAttr(c.node, 'keepdims', 1) === 1;
  const e = c.e;
  let g = g0(c);
  if (!keep && axes && axes.length > 0) g = e.op('Unsqueeze', [g, e.i64(axes)]);
  g = e.op('Expand', [g, e.shape(x)]);
  if (isMean) g = e.op('Div', [g, e.op('Div', [e.sizeF(x), e.sizeF(c.node.output[0]!)])]);
  return [g, undefined];
};

export const NORM_RULES: Record<string, GradRule> = {
  Softmax: softmax, LogSoftmax: logSoftmax, LayerNormalization: layerNorm, ReduceMean: reduce(true), ReduceSum: reduce(false),
};
