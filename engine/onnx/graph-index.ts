// A read-only index over one ONNX graph: who produces and consumes each value, module scopes, small constants.
// Stage: ModelProto → site map. Scopes are the torch exporter's node-name prefixes ("/transformer/h.3/attn/c_proj/Gemm"
// lives in scope "/transformer/h.3/attn/c_proj"), which is how hook sites are found.
import type { Graph, NodeProto, TensorProto } from './onnx-schema.js';
import { readTensorNumbers } from './tensor-data.js';

export class GraphIndex {
  readonly producer = new Map<string, NodeProto>();
  readonly consumers = new Map<string, NodeProto[]>();
  readonly initializers = new Map<string, TensorProto>();
  readonly graphInputs: Set<string>;
  readonly graphOutputs: Set<string>;
  private readonly constantMemo = new Map<string, boolean>();

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

  /** Nodes whose name lies in the scope (the scope itself or below it). */
  nodesInScope(scope: string): NodeProto[] {
    const prefix = scope.endsWith('/') ? scope : `${scope}/`;
    return this.graph.node.filter((n) => n.name.startsWith(prefix));
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

  /** Activation values consumed by nodes in the scope but produced outside it. */
  scopeInputs(scope: string): string[] {
    const inside = new Set(this.nodesInScope(scope));
    const found = new Set<string>();
    for (const n of inside) {
      for (const v of n.input) {
        if (!v || !this.isActivation(v)) continue;
        const p = this.producer.get(v);
        if (p && inside.has(p)) continue;
        if (SHAPE_OPS.has(n.op_type)) continue;
        found.add(this.unquantized(v));
      }
    }
    return [...found];
  }

  /** Values produced in the scope and used outside it (or returned by the graph). */
  scopeOutputs(scope: string): string[] {
    // Quantizers are named after the value they quantize, so they land in its scope without belonging to it.
    const inside = new Set(this.nodesInScope(scope).filter((n) => !QUANTIZE_OPS.has(n.op_type)));
    const found: string[] = [];
    for (const n of inside) {
      for (const v of n.output) {
        if (!v) continue;
        if (this.graphOutputs.has(v) || this.dataUsers(v).some((u) => !inside.has(u))) found.push(v);
      }
    }
    return found;
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

  /** The single node of a given op type producing `value`, walking back through nothing else. */
  producerOf(value: string, opType?: string): NodeProto | undefined {
    const p = this.producer.get(value);
    if (!p || (opType && p.op_type !== opType)) return undefined;
    return p;
  }
}

const QUANTIZE_OPS = new Set(['DynamicQuantizeLinear', 'QuantizeLinear']);
const CONSTANT_OPS = new Set(['Constant', 'ConstantOfShape', 'Shape', 'Size']);
/** Ops that only read a tensor's shape: a use by them is not a use of its data. */
const SHAPE_OPS = new Set(['Shape', 'Size']);
