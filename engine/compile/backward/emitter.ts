// The node writer the gradient rules share: fresh value names, small constants, Shape caching, and un-broadcasting
// (summing a gradient down to the shape of the input it belongs to). Stage: compile (backward graph).
import type { Attribute, NodeProto, TensorProto } from '../../onnx/onnx-schema.js';
import { DataType } from '../../onnx/onnx-schema.js';
import { floatTensor, int64Tensor } from '../../onnx/tensor-data.js';

/** What the probe run learned about a forward value: its rank and whether it is a float32 tensor. */
export interface ValueFact { rank: number; float: boolean }

export const attrInt = (name: string, i: number): Attribute => ({ name, type: 2, i });
export const attrInts = (name: string, ints: number[]): Attribute => ({ name, type: 7, ints });
export const attrFloat = (name: string, f: number): Attribute => ({ name, type: 1, f });

export function readAttr(n: NodeProto, name: string): Attribute | undefined {
  return n.attribute.find((a) => a.name === name);
}
export function intAttr(n: NodeProto, name: string, fallback: number): number {
  const a = readAttr(n, name);
  return a?.i === undefined || a.i === null ? fallback : Number(a.i);
}
export function floatAttr(n: NodeProto, name: string, fallback: number): number {
  const a = readAttr(n, name);
  return a?.f === undefined || a.f === null ? fallback : Number(a.f);
}
export function intsAttr(n: NodeProto, name: string): number[] | undefined {
  const a = readAttr(n, name);
  return a?.ints && a.ints.length > 0 ? a.ints.map(Number) : undefined;
}

export class Emitter {
  readonly nodes: NodeProto[] = [];
  readonly consts: TensorProto[] = [];
  private count = 0;
  private readonly shapes = new Map<string, string>();
  private readonly constCache = new Map<string, string>();

  constructor(private readonly prefix: string, readonly facts: Map<string, ValueFact>) {}

  rank(value: string): number {
    const f = this.facts.get(value);
    if (!f) throw new Error(`backward: no rank known for ${value}`);
    return f.rank;
  }

  /** Emits one node and returns its outputs (fresh names). */
  ops(type: string, inputs: string[], attrs: Attribute[] = [], outputs = 1): string[] {
    const id = `${this.prefix}/${this.count++}`;
    const out = Array.from({ length: outputs }, (_, i) => `${id}/${type}${outputs > 1 ? `_${i}` : ''}`);
    this.nodes.push({ op_type: type, input: inputs, output: out, name: `${id}/${type}`, attribute: attrs });
    return out;
  }
  op(type: string, inputs: string[], attrs: Attribute[] = []): string {
    return this.ops(type, inputs, attrs)[0]!;
  }

  i64(values: number[]): string {
    const key = `i:${values.join(',')}`;
    let name = this.constCache.get(key);
    if (!name) {
      name = `${this.prefix}/const/i${this.constCache.size}`;
      this.consts.push(int64Tensor(name, values));
      this.constCache.set(key, name);
    }
    return name;
  }
  /** A float32 scalar constant. */
  f32(value: number): string {
    const key = `f:${value}`;
    let name = this.constCache.get(key);
    if (!name) {
      name = `${this.prefix}/const/f${this.constCache.size}`;
      this.consts.push(floatTensor(name, [value], []));
      this.constCache.set(key, name);
    }
    return name;
  }

  shape(value: string): string {
    let s = this.shapes.get(value);
    if (!s) {
      s = this.op('Shape', [value]);
      this.shapes.set(value, s);
    }
    return s;
  }

  /** Float zeros shaped like `value`. */
  zerosLike(value: string): string {
    return this.zerosOfShape(this.shape(value));
  }
  zerosOfShape(shape: string): string {
    return this.op('ConstantOfShape', [shape], [{ name: 'value', type: 4, t: floatTensor('', [0], [1]) }]);
  }

  /** The number of elements of `value` as a float scalar. */
  sizeF(value: string): string {
    return this.op('Cast', [this.op('Size', [value])], [attrInt('to', DataType.FLOAT)]);
  }

  /** `ReduceSum` over constant axes (an input since opset 13), keeping dimensions. */
  sumAxes(value: string, axes: number[], keepdims = 1): string {
    return this.op('ReduceSum', [value, this.i64(axes)], [attrInt('keepdims', keepdims)]);
  }

  /**
   * Sums the gradient `g` (the shape of a broadcast result) down to the shape of `like`, the input it belongs to:
   * leading axes `like` lacks are summed away, then every axis where the shapes differ (like has 1 there). The
   * second step is computed at run time, so one graph serves every batch size and sequence length.
   */
  unbroadcast(g: string, like: string, gRank: number): string {
    const rank = this.rank(like);
    let h = g;
    if (gRank > rank) h = this.sumAxes(h, Array.from({ length: gRank - rank }, (_, i) => i), 0);
    if (rank === 0) return h;
    const target = this.shape(like);
    const differ = this.op('Not', [this.op('Equal', [this.shape(h), target])]);
    const axes = this.op('Reshape', [this.op('NonZero', [differ]), this.i64([-1])]);
    const summed = this.op('ReduceSum', [h, axes], [attrInt('keepdims', 1), attrInt('noop_with_empty_axes', 1)]);
    return this.op('Reshape', [summed, target]);
  }
}
