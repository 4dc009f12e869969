// Instrumenting a GRU network: at each (layer, t) whose state is intervened on, the layer's GRU node is split into
// GRU nodes sharing W, R and B — steps [0..t] and [t+1..] — with a slot on the state between them, so the change
// carries through the rest of the recurrence; an output slot on a layer's Y changes only what the next layer (or
// the head) reads, leaving the layer's own recurrence alone. Every layer's Y is also a graph output, to collect.
// Stage: compile (recurrent networks).
//
//   state slot (block_output, unit t):  h' = h_t + mask ⊙ (source − h_t) + delta   [1, B, H]; Y[t] = h' as well
//   output slot (layer_output, unit t): Y' = Y + mask ⊙ (source − Y) + delta       [S, 1, B, H]
import type { Graph, ModelProto, NodeProto, TensorProto, ValueInfo } from '../onnx/onnx-schema.js';
import { DataType } from '../onnx/onnx-schema.js';
import { int64Tensor } from '../onnx/tensor-data.js';
import type { GruStructure } from './gru-graph.js';

export interface GruSlotSpec {
  /** Per layer: the steps after which the state is patched (the node is split after each). */
  splits: Map<number, number[]>;
  /** Layers whose Y gets an output slot. */
  outputs: Set<number>;
}

export function gruSlotNames(layer: number, t?: number) {
  const p = t === undefined ? `patchbay.L${layer}.layer_output` : `patchbay.L${layer}.state.t${t}`;
  return { source: `${p}.source`, mask: `${p}.mask`, delta: `${p}.delta` };
}

/** The graph output holding layer `layer`'s Y [S, 1, B, H] (before its output slot). */
export function gruValueName(layer: number): string {
  return `patchbay.L${layer}.Y`;
}

/** The graph output holding layer `layer`'s Y after its output slot (only where the layer has one). */
export function gruSlottedName(layer: number): string {
  return `patchbay.L${layer}.Y_slotted`;
}

export function gruSlotsKey(spec: GruSlotSpec): string {
  const splits = [...spec.splits].sort((a, b) => a[0] - b[0]).map(([l, ts]) => `${l}@${[...ts].sort((a, b) => a - b).join('.')}`);
  return `${splits.join(',')}|${[...spec.outputs].sort((a, b) => a - b).join(',')}`;
}

export function instrumentGru(proto: ModelProto, gru: GruStructure, spec: GruSlotSpec): ModelProto {
  const g = proto.graph;
  const nodes: NodeProto[] = [];
  const consts: TensorProto[] = [];
  const inputs: string[] = [];
  const outputs: string[] = [];
  for (const n of g.node) {
    const layer = gru.layers.findIndex((l) => l.node === n);
    if (layer < 0) { nodes.push(n); continue; }
    const y = n.output[0]!;
    const hasOutputSlot = spec.outputs.has(layer);
    const yRaw = hasOutputSlot ? `${y}/patchbay/raw` : y;
    const ts = [...new Set(spec.splits.get(layer) ?? [])].sort((a, b) => a - b);
    if (ts.length === 0) nodes.push({ ...n, output: [yRaw, ...n.output.slice(1)] });
    else splitNode(nodes, consts, inputs, n, layer, ts, yRaw);
    nodes.push(op('Identity', [yRaw], [gruValueName(layer)], `patchbay/L${layer}/collect`));
    outputs.push(gruValueName(layer));
    if (hasOutputSlot) {
      affine(nodes, inputs, yRaw, y, gruSlotNames(layer), `patchbay/L${layer}/output`);
      nodes.push(op('Identity', [y], [gruSlottedName(layer)], `patchbay/L${layer}/collect_slotted`));
      outputs.push(gruSlottedName(layer));
    }
  }
  const graph: Graph = {
    ...g,
    node: nodes,
    initializer: [...g.initializer, ...consts],
    input: [...g.input, ...inputs.map(floatValue)],
    output: [...g.output, ...outputs.map(floatValue)],
  };
  return { ...proto, graph };
}

/** GRU segments [0..t1], [t1+1..t2], …, [tk+1..], each starting from the previous one's patched state. */
function splitNode(nodes: NodeProto[], consts: TensorProto[], inputs: string[], n: NodeProto, layer: number, ts: number[], yOut: string): void {
  const p = `patchbay/L${layer}/split`;
  const bounds = [0, ...ts.map((t) => t + 1), 2 ** 62];
  const axes = `${p}/axes0`;
  consts.push(int64Tensor(axes, [0]), int64Tensor(`${p}/drop_last`, [-1]));
  let h = n.input[5] ?? '';
  const pieces: string[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const seg = `${p}/seg${k}`;
    consts.push(int64Tensor(`${seg}/start`, [bounds[k]!]), int64Tensor(`${seg}/end`, [bounds[k + 1]!]));
    nodes.push(op('Slice', [n.input[0]!, `${seg}/start`, `${seg}/end`, axes], [`${seg}/X`], `${seg}/Slice`));
    const last = k + 2 === bounds.length;
    const yk = `${seg}/Y`;
    const hk = last && n.output[1] ? n.output[1] : `${seg}/Y_h`;
    nodes.push({ ...n, name: `${n.name}/patchbay/seg${k}`, input: [`${seg}/X`, n.input[1]!, n.input[2]!, n.input[3] ?? '', n.input[4] ?? '', h], output: [yk, hk] });
    if (last) { pieces.push(yk); break; }
    const t = ts[k]!;
    h = `${p}/h${t}`;
    affine(nodes, inputs, hk, h, gruSlotNames(layer, t), `${p}/t${t}`);
    // The state after step t is also the layer's output at t: Y[0..t-1] of the segment, then the patched state.
    nodes.push(op('Slice', [yk, `${p}/zero`, `${p}/drop_last`, axes], [`${seg}/Y_head`], `${seg}/SliceHead`));
    nodes.push(op('Unsqueeze', [h, axes], [`${seg}/Y_t`], `${seg}/Unsqueeze`));
    pieces.push(`${seg}/Y_head`, `${seg}/Y_t`);
  }
  consts.push(int64Tensor(`${p}/zero`, [0]));
  nodes.push({ ...op('Concat', pieces, [yOut], `${p}/Concat`), attribute: [{ name: 'axis', type: 2, i: 0 }] });
}

/** out = x + mask ⊙ (source − x) + delta, with the three as new graph inputs. */
function affine(nodes: NodeProto[], inputs: string[], x: string, out: string, names: { source: string; mask: string; delta: string }, p: string): void {
  nodes.push(op('Sub', [names.source, x], [`${p}/diff`], `${p}/Sub`));
  nodes.push(op('Mul', [names.mask, `${p}/diff`], [`${p}/masked`], `${p}/Mul`));
  nodes.push(op('Add', [x, `${p}/masked`], [`${p}/replaced`], `${p}/Add`));
  nodes.push(op('Add', [`${p}/replaced`, names.delta], [out], `${p}/AddDelta`));
  inputs.push(names.source, names.mask, names.delta);
}

function op(op_type: string, input: string[], output: string[], name: string): NodeProto {
  return { op_type, input, output, name, attribute: [] };
}

function floatValue(name: string): ValueInfo {
  return { name, type: { tensor_type: { elem_type: DataType.FLOAT } } };
}
