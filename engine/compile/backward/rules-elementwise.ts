// Gradient rules of elementwise ops (broadcasting binary arithmetic, unary functions, Where, Cast/Identity).
// Stage: compile (backward graph). y = f(x): gx = gy · f'(x), summed back over broadcast axes.
import type { GradContext, GradRule } from './rule-types.js';
import { g0, outRank, unsupported } from './rule-types.js';

const ub = (c: GradContext, g: string, i: number) => c.e.unbroadcast(g, c.node.input[i]!, outRank(c));
const when = (c: GradContext, i: number, f: () => string) => (c.need[i] ? f() : undefined);

const add: GradRule = (c) => [when(c, 0, () => ub(c, g0(c), 0)), when(c, 1, () => ub(c, g0(c), 1))];

const sub: GradRule = (c) => [when(c, 0, () => ub(c, g0(c), 0)), when(c, 1, () => ub(c, c.e.op('Neg', [g0(c)]), 1))];

const mul: GradRule = (c) => {
  const [a, b] = c.node.input as [string, string];
  return [when(c, 0, () => ub(c, c.e.op('Mul', [g0(c), b]), 0)), when(c, 1, () => ub(c, c.e.op('Mul', [g0(c), a]), 1))];
};

// y = a / b:  ga = g / b,  gb = −g · y / b
const div: GradRule = (c) => {
  const [, b] = c.node.input as [string, string];
  const y = c.node.output[0]!;
  return [
    when(c, 0, () => ub(c, c.e.op('Div', [g0(c), b]), 0)),
    when(c, 1, () => ub(c, c.e.op('Neg', [c.e.op('Div', [c.e.op('Mul', [g0(c), y]), b])]), 1)),
  ];
};

// y = x^p (p constant):  gx = g · p · x^(p−1)
const pow: GradRule = (c) => {
  if (c.need[1]) unsupported(c, 'the exponent depends on a trained input');
  const [x, p] = c.node.input as [string, string];
  const pf = c.e.op('Cast', [p], [{ name: 'to', type: 2, i: 1 }]);
  const d = c.e.op('Mul', [pf, c.e.op('Pow', [x, c.e.op('Sub', [pf, c.e.f32(1)])])]);
  return [ub(c, c.e.op('Mul', [g0(c), d]), 0), undefined];
};

const unary = (f: (c: GradContext, x: string, y: string) => string): GradRule => (c) =>
  [c.e.op('Mul', [g0(c), f(c, c.node.input[0]!, c.node.output[0]!)])];

const sqrt = unary((c, _x, y) => c.e.op('Div', [c.e.f32(0.5), y])); // d√x = 1 / (2√x)
const tanh = unary((c, _x, y) => c.e.op('Sub', [c.e.f32(1), c.e.op('Mul', [y, y])]));
const sigmoid = unary((c, _x, y) => c.e.op('Mul', [y, c.e.op('Sub', [c.e.f32(1), y])]));
const exp = unary((_c, _x, y) => y);
const log = unary((c, x) => c.e.op('Reciprocal', [x]));
// d erf(x) = 2/√π · exp(−x²)
const erf = unary((c, x) => c.e.op('Mul', [c.e.f32(2 / Math.sqrt(Math.PI)), c.e.op('Exp', [c.e.op('Neg', [c.e.op('Mul', [x, x])])])]));
const relu = unary((c, x) => c.e.op('Cast', [c.e.op('Greater', [x, c.e.f32(0)])], [{ name: 'to', type: 2, i: 1 }]));

const neg: GradRule = (c) => [c.e.op('Neg', [g0(c)])];
const identity: GradRule = (c) => [g0(c)];

// y = where(cond, a, b):  ga = where(cond, g, 0),  gb = where(cond, 0, g)
const where: GradRule = (c) => {
  const cond = c.node.input[0]!;
  const zero = c.e.f32(0);
  return [undefined,
    when(c, 1, () => ub(c, c.e.op('Where', [cond, g0(c), zero]), 1)),
    when(c, 2, () => ub(c, c.e.op('Where', [cond, zero, g0(c)]), 2))];
};

export const ELEMENTWISE_RULES: Record<string, GradRule> = {
  Add: add, Sub: sub, Mul: mul, Div: div, Pow: pow, Neg: neg, Sqrt: sqrt, Tanh: tanh, Sigmoid: sigmoid, Exp: exp,
  Log: log, Erf: erf, Relu: relu, Where: where,
  // float → float only: a Cast to or from an integer type never carries a gradient (its output or input is not float)
  Identity: identity, Cast: identity, Dropout: identity,
};
