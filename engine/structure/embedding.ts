// The token embedding: the Gather that looks token ids up in a [vocab, d_model] table and feeds the first block. Its
// table gives the vocabulary size and the model width; its output is where ROME adds noise. Quantized tables
// (Gather of int8 rows, then DequantizeLinear) and onnxruntime's EmbedLayerNormalization are recognised.
// Stage: ModelProto → structure.
import type { GraphIndex } from '../onnx/graph-index.js';
import type { LayerNormUnit } from './layer-norms.js';

export interface Embedding {
  /** Float token embeddings [B, S, D], or undefined when fused (EmbedLayerNormalization). */
  output: string | undefined;
  vocabSize: number;
  dModel: number;
  /** Position-embedding table rows (GPT-2's wpe), when the graph has one: the context length. */
  positions?: number;
}

export function findEmbedding(index: GraphIndex, firstNorm: LayerNormUnit): Embedding | { missing: string } {
  if (firstNorm.form === 'embed-fused') {
    const dims = tableDims(index, firstNorm.last.input[2]);
    const pos = tableDims(index, firstNorm.last.input[3]);
    return dims ? { output: undefined, vocabSize: dims[0], dModel: dims[1], positions: pos?.[0] } : { missing: 'EmbedLayerNormalization without a constant word-embedding table' };
  }
  const ids = tokenInput(index);
  if (!ids) return { missing: 'the graph has no token-id input (input_ids)' };
  const reach = firstNorm.input ? index.ancestors(firstNorm.input) : new Set<string>();
  const lookups = index.graph.node.filter((n) => n.op_type === 'Gather' && tableDims(index, n.input[0]) && reach.has(dequantized(index, n.output[0]!)));
  const token = lookups.filter((n) => index.ancestors(n.input[1]!).has(ids));
  if (token.length !== 1) return { missing: `${token.length} embedding lookups read the token ids (expected 1)` };
  const [vocabSize, dModel] = tableDims(index, token[0]!.input[0])!;
  const other = lookups.find((n) => n !== token[0] && tableDims(index, n.input[0])![1] === dModel);
  return { output: dequantized(index, token[0]!.output[0]!), vocabSize, dModel, positions: other ? tableDims(index, other.input[0])![0] : undefined };
}

/** The graph input carrying token ids: `input_ids` by name, else the only integer input. */
export function tokenInput(index: GraphIndex): string | undefined {
  if (index.graphInputs.has('input_ids')) return 'input_ids';
  const ints = index.graph.input.filter((i) => index.graphInputs.has(i.name) && [6, 7].includes(i.type?.tensor_type?.elem_type ?? 0));
  return ints.length === 1 ? ints[0]!.name : undefined;
}

/** [rows, width] of a 2-D constant table (through Identity copies), or undefined. */
function tableDims(index: GraphIndex, value: string | undefined): [number, number] | undefined {
  let v = value;
  for (let i = 0; v && i < 4; i++) {
    const t = index.initializers.get(v);
    if (t) return t.dims.length === 2 ? [Number(t.dims[0]), Number(t.dims[1])] : undefined;
    const p = index.producer.get(v);
    if (!p || !['Identity', 'DequantizeLinear', 'Cast'].includes(p.op_type)) return undefined;
    v = p.input[0];
  }
  return undefined;
}

/** A Gather of quantized rows is followed by its DequantizeLinear: the float rows are the embedding. */
function dequantized(index: GraphIndex, value: string): string {
  const users = index.consumers.get(value) ?? [];
  const deq = users.find((u) => u.op_type === 'DequantizeLinear');
  return deq && users.length === 1 ? deq.output[0]! : value;
}
