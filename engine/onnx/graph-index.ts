// A read-only index over one ONNX graph: who produces and consumes each value, data-flow ancestry, a topological
// order, small constants. Stage: ModelProto → structure → site map.
import type { Graph, NodeProto, TensorProto } from './onnx-schema.js';
import { readTensorNumbers } from './tensor-data.js';

export class GraphIndex {
  readonly producer = new Map<string, NodeProto>();
  readonly consumers = new Map<string, NodeProto[]>();
  readonly initializers = new Map<string, TensorProto>();
  readonly graphInputs: Set<string>;
  readonly graphOutputs: Set<string>;
  private readonly constantMemo = new Map<string, boolean>();
  private topo: Map<NodeProto, number> | undefined;

  constructor(readonly graph: Graph) {
    for (const t of graph.initializer) this.initializers.set(t.name, t);
    // Old exporters list initializers among the inputs too; only the real inputs count here.
    this.graphInputs = new Set(graph.input.map((i) => i.name).filter((n) => !this.initializers.has(n)));
    this.graphOutputs = new Set(graph.output.map((o) => o.name));
    for (const node of graph.node) {
      for (const out of node.output) if (out) this.producer.set(out, node);
      for (const inp of node.input) {
        if (!inp) continue;
        const list = this.consumers.get(inp);
        if (list) list.push(node);
        else this.consumers.set(inp, [node]);
      }
    }
  }

  /** Whether a value carries data computed at run time (not a weight, not a constant, not a shape computation). */
  isActivation(value: string): boolean {
    return !this.isConstant(value);
  }

  /** Weights, constants, shape computations, and anything computed only from them (torch exports merge equal
   *  initializers and leave the duplicates as Identity nodes, e.g. every zero bias of a random model). */
  isConstant(value: string): boolean {
    const known = this.constantMemo.get(value);
    if (known !== undefined) return known;
    let result: boolean;
    if (this.initializers.has(value)) result = true;
    else {
      const p = this.producer.get(value);
      if (!p) result = !this.graphInputs.has(value);
      else if (CONSTANT_OPS.has(p.op_type)) result = true;
      else {
        this.constantMemo.set(value, false); // cycles cannot occur in a valid graph; this only guards recursion
        result = p.input.every((i) => !i || this.isConstant(i));
      }
    }
    this.constantMemo.set(value, result);
    return result;
  }

  /** Nodes that use a value's data: shape reads do not count, and a quantizer stands for its own users. */
  dataUsers(value: string): NodeProto[] {
    return (this.consumers.get(value) ?? []).flatMap((u) => {
      if (SHAPE_OPS.has(u.op_type)) return [];
      if (QUANTIZE_OPS.has(u.op_type)) return u.output.flatMap((o) => this.dataUsers(o));
      return [u];
    });
  }

  /** A dynamically quantized value stands for the float value it was made from. */
  unquantized(value: string): string {
    const p = this.producer.get(value);
    return p && QUANTIZE_OPS.has(p.op_type) ? p.input[0]! : value;
  }

  /** Position of each node in a topological order (old exporters write unsorted graphs). */
  get order(): Map<NodeProto, number> {
    if (!this.topo) this.topo = topologicalOrder(this.graph.node, this.producer);
    return this.topo;
  }

  /** Activation values that `value` is computed from (itself included), following data inputs only (a Shape read is
   *  not a data dependency) and not expanding past `stops`. */
  ancestors(value: string, stops: ReadonlySet<string> = new Set()): Set<string> {
    const seen = new Set<string>();
    const stack = [value];
    while (stack.length > 0) {
      const v = stack.pop()!;
      if (seen.has(v) || this.isConstant(v)) continue;
      seen.add(v);
      if (stops.has(v)) continue;
      const p = this.producer.get(v);
      if (p && !SHAPE_OPS.has(p.op_type)) for (const i of p.input) if (i) stack.push(i);
    }
    return seen;
  }

  /** The numbers of a small constant (Constant node or initializer), or undefined if the value is not constant. */
  constantNumbers(value: string): number[] | undefined {
    const init = this.initializers.get(value);
    if (init) return readTensorNumbers(init);
    const p = this.producer.get(value);
    if (p?.op_type === 'Constant') {
      const attr = p.attribute.find((a) => a.name === 'value');
      if (attr?.t) return readTensorNumbers(attr.t);
      const ints = p.attribute.find((a) => a.name === 'value_ints');
      if (ints?.ints) return ints.ints.map(Number);
      const int = p.attribute.find((a) => a.name === 'value_int');
      if (int && int.i !== undefined) return [Number(int.i)];
    }
    return undefined;
  }
}

const QUANTIZE_OPS = new Set(['DynamicQuantizeLinear', 'QuantizeLinear']);
const CONSTANT_OPS = new Set(['Constant', 'ConstantOfShape', 'Shape', 'Size']);
/** Ops that only read a tensor's shape: a use by them is not a use of its data. */
const SHAPE_OPS = new Set(['Shape', 'Size']);

function topologicalOrder(nodes: readonly NodeProto[], producer: Map<string, NodeProto>): Map<NodeProto, number> {
  const order = new Map<NodeProto, number>();
  const visiting = new Set<NodeProto>();
  // Iterative depth-first post-order: a node is numbered after everything it reads.
  for (const root of nodes) {
    const stack: [NodeProto, number][] = [[root, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [n, i] = top;
      if (order.has(n)) { stack.pop(); continue; }
      if (i === 0) visiting.add(n);
      if (i < n.input.length) {
        top[1] = i + 1;
        const p = n.input[i] ? producer.get(n.input[i]!) : undefined;
        if (p && !order.has(p) && !visiting.has(p)) stack.push([p, 0]);
        continue;
      }
      visiting.delete(n);
      order.set(n, order.size);
      stack.pop();
    }
  }
  return order;
}
