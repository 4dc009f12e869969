// Axis bookkeeping without shape inference: which axes a tensor has (batch, position, head, feature), followed
// through the Reshape / Transpose chains exporters put between projections and attention. Lets the site finder
// tell a [B,S,D] value from a [B,S,H,Dh] or [B,H,S,Dh] one. Stage: structure.
import type { GraphIndex } from '../onnx/graph-index.js';
import type { NodeProto } from '../onnx/onnx-schema.js';

/** Axis labels: b batch, s position, h head, d per-head feature, f full feature, bs batch×position (flattened). */
export type Axes = readonly string[];

/** The axes after `node` (a Reshape, Transpose or a shape-preserving op) given the axes of its data input. */
export function axesAfter(index: GraphIndex, node: NodeProto, axes: Axes): Axes | undefined {
  switch (node.op_type) {
    case 'Transpose': {
      const perm = node.attribute.find((a) => a.name === 'perm')?.ints?.map(Number) ?? axes.map((_, i) => axes.length - 1 - i);
      return perm.length === axes.length ? perm.map((i) => axes[i]!) : undefined;
    }
    case 'Reshape': {
      const rank = reshapeTarget(index, node)?.length;
      return rank === undefined ? undefined : reshaped(axes, rank);
    }
    default:
      return axes;
  }
}

function reshaped(axes: Axes, rank: number): Axes | undefined {
  const last = axes[axes.length - 1];
  const head = axes.slice(0, -1);
  if (rank === axes.length) return axes;
  if (rank === 2 && axes[0] === 'b' && axes[1] === 's') return ['bs', axes.length === 3 ? last! : 'f'];
  if (axes.length === 2 && axes[0] === 'bs' && rank === 3) return ['b', 's', last!];
  if (rank === axes.length + 1 && last === 'f') return [...head, 'h', 'd'];
  if (rank === axes.length - 1 && last === 'd' && axes[axes.length - 2] === 'h') return [...axes.slice(0, -2), 'f'];
  return undefined;
}

/** The layouts a site tensor can have (the site table's `Layout`, without the attention-weight one). */
export type TensorLayout = 'bsd' | 'bshd' | 'bhsd';

export function layoutOfAxes(axes: Axes | undefined): TensorLayout | undefined {
  switch (axes?.join(',')) {
    case 'b,s,f': return 'bsd';
    case 'b,s,h,d': return 'bshd';
    case 'b,h,s,d': return 'bhsd';
    default: return undefined;
  }
}

/** The entries of a Reshape's target shape: a number where constant, undefined where computed at run time. */
export function reshapeTarget(index: GraphIndex, node: NodeProto): (number | undefined)[] | undefined {
  return vectorEntries(index, node.input[1]!, 0);
}

function vectorEntries(index: GraphIndex, value: string, depth: number): (number | undefined)[] | undefined {
  const constant = index.constantNumbers(value);
  if (constant) return constant;
  const p = index.producer.get(value);
  if (!p || depth > 4) return undefined;
  if (p.op_type === 'Cast' || p.op_type === 'Identity') return vectorEntries(index, p.input[0]!, depth + 1);
  if (p.op_type === 'Unsqueeze') return [index.constantNumbers(p.input[0]!)?.[0]]; // a scalar made a 1-vector
  if (p.op_type === 'Concat') {
    const parts = p.input.map((i) => vectorEntries(index, i, depth + 1));
    return parts.every((x) => x !== undefined) ? parts.flat() : undefined;
  }
  return undefined;
}

/** The rank of a matrix product's data operand as the export leaves it: 2 after a flattening Reshape (Gemm
 *  always), 3 otherwise (the residual stream's [B, S, D]). */
export function projectionAxes(index: GraphIndex, projection: NodeProto): Axes {
  if (projection.op_type === 'Gemm') return ['bs', 'f'];
  const input = index.unquantized(projection.input[0]!);
  const p = index.producer.get(input);
  return p?.op_type === 'Reshape' && reshapeTarget(index, p)?.length === 2 ? ['bs', 'f'] : ['b', 's', 'f'];
}
