// The structure of an exported GRU network: one ONNX `GRU` node per layer (the recurrence inside the node, as
// torch.onnx.export writes nn.GRU), the input sequence and initial-state inputs, and the sizes. Stage: model
// (recurrent networks).
import { PatchbayError } from '../errors.js';
import type { Graph, NodeProto, ValueInfo } from '../onnx/onnx-schema.js';

export interface GruLayer {
  /** The layer's GRU node (inputs X, W, R, B, sequence_lens, initial_h; outputs Y [S, 1, B, H], Y_h [1, B, H]). */
  node: NodeProto;
  hidden: number;
}

export interface GruStructure {
  layers: GruLayer[];
  /** The sequence input ([batch, seq, features], batch-first) and the initial state input ([layers, batch, hidden]). */
  input: string;
  stateInput: string | null;
  inputSize: number;
  outputSize: number;
  /** The output read as per-step scores ([batch, seq, outputs]). */
  output: string;
}

export function isRecurrentGraph(g: Graph): boolean {
  return g.node.some((n) => n.op_type === 'GRU');
}

export function readGruStructure(g: Graph): GruStructure {
  const nodes = g.node.filter((n) => n.op_type === 'GRU');
  if (nodes.length === 0) throw new PatchbayError('MODEL_FAMILY_UNKNOWN', 'the graph has no GRU node');
  const layers = nodes.map((node) => {
    const dir = attr(node, 'direction', 's');
    if (dir !== undefined && dir !== 'forward') {
      throw new PatchbayError('MODEL_LAYOUT_UNSUPPORTED', `GRU node ${node.name} runs ${String(dir)}: only forward (unidirectional) GRUs are supported`);
    }
    if ((attr(node, 'layout', 'i') ?? 0) !== 0) throw new PatchbayError('MODEL_LAYOUT_UNSUPPORTED', `GRU node ${node.name} uses layout 1; exports use 0`);
    const hidden = Number(attr(node, 'hidden_size', 'i'));
    if (!hidden) throw new PatchbayError('MODEL_LAYOUT_UNSUPPORTED', `GRU node ${node.name} has no hidden_size`);
    return { node, hidden };
  });
  const floats = g.input.filter((i) => i.type?.tensor_type?.elem_type === 1);
  const rank = (v: ValueInfo) => v.type?.tensor_type?.shape?.dim?.length ?? 0;
  const seq = floats.find((v) => rank(v) === 3 && !isStateInput(v, nodes.length));
  if (!seq) throw new PatchbayError('MODEL_LAYOUT_UNSUPPORTED', `no [batch, seq, features] input among ${g.input.map((i) => i.name).join(', ')}`);
  const state = floats.find((v) => v !== seq && isStateInput(v, nodes.length)) ?? null;
  const out = g.output.find((o) => rank(o) === 3) ?? g.output[0]!;
  const dimOf = (v: ValueInfo, i: number) => v.type?.tensor_type?.shape?.dim?.[i]?.dim_value;
  const inputSize = Number(dimOf(seq, 2) ?? 0);
  const outputSize = Number(dimOf(out, 2) ?? 0);
  if (!inputSize || !outputSize) throw new PatchbayError('MODEL_LAYOUT_UNSUPPORTED', `input ${seq.name} or output ${out.name} has no fixed feature size`);
  return { layers, input: seq.name, stateInput: state?.name ?? null, inputSize, outputSize, output: out.name };
}

/** [layers, batch, hidden]: the first axis fixed to the number of GRU layers. */
function isStateInput(v: ValueInfo, layers: number): boolean {
  const d = v.type?.tensor_type?.shape?.dim ?? [];
  return d.length === 3 && Number(d[0]?.dim_value) === layers && !!d[2]?.dim_value && /h0|state|hidden/i.test(v.name);
}

function attr(n: NodeProto, name: string, kind: 'i' | 's'): number | string | undefined {
  const a = n.attribute.find((x) => x.name === name);
  if (!a) return undefined;
  if (kind === 'i') return a.i === undefined ? undefined : Number(a.i);
  return a.s === undefined ? undefined : new TextDecoder().decode(a.s);
}
