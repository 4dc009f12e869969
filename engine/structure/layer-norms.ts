// Finds every LayerNorm of a decoder graph, whatever form the exporter gave it: the LayerNormalization op (opset ≥ 17),
// its decomposition (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add — older opsets), or onnxruntime's
// EmbedLayerNormalization (embeddings fused with the first LayerNorm). LayerNorms are the anchors of the structure:
// every GPT-2 / GPT-NeoX block has two and the model one final. Stage: ModelProto → structure.
import type { GraphIndex } from '../onnx/graph-index.js';
import type { NodeProto } from '../onnx/onnx-schema.js';

export interface LayerNormUnit {
  /** The normalised value (activation input); undefined when the op hides it (EmbedLayerNormalization). */
  input: string | undefined;
  output: string;
  /** The node producing `output`: what orders LayerNorms in the graph. */
  last: NodeProto;
  form: 'op' | 'decomposed' | 'embed-fused';
}

/** Every LayerNorm, in topological order. */
export function findLayerNorms(index: GraphIndex): LayerNormUnit[] {
  const found: LayerNormUnit[] = [];
  for (const n of index.graph.node) {
    if (n.op_type === 'LayerNormalization' && n.input[0]) {
      found.push({ input: n.input[0], output: n.output[0]!, last: n, form: 'op' });
    } else if (n.op_type === 'EmbedLayerNormalization') {
      found.push({ input: undefined, output: n.output[0]!, last: n, form: 'embed-fused' });
    } else if (n.op_type === 'ReduceMean') {
      const unit = decomposedFrom(index, n);
      if (unit) found.push(unit);
    }
  }
  const order = index.order;
  return found.sort((a, b) => order.get(a.last)! - order.get(b.last)!);
}

/** mean = ReduceMean(x); d = x − mean; … Div(d, Sqrt(var + eps)) then an affine Mul and Add with constants. */
function decomposedFrom(index: GraphIndex, mean: NodeProto): LayerNormUnit | undefined {
  const x = mean.input[0]!;
  const centre = (index.consumers.get(mean.output[0]!) ?? []).find((c) => c.op_type === 'Sub' && c.input[0] === x);
  if (!centre) return undefined;
  const d = centre.output[0]!;
  const div = (index.consumers.get(d) ?? []).find((c) => c.op_type === 'Div' && c.input[0] === d);
  if (!div) return undefined;
  // The variance branch must come from d as well (old exporters put a Cast first): Pow(d, 2) or Mul(d, d).
  const users = (index.consumers.get(d) ?? []).flatMap((c) => (c.op_type === 'Cast' ? index.consumers.get(c.output[0]!) ?? [] : [c]));
  const variance = users.some((c) => c.op_type === 'Pow' || (c.op_type === 'Mul' && c.input[0] === c.input[1]));
  if (!variance) return undefined;
  let last = div;
  for (const op of ['Mul', 'Add']) {
    const users = index.consumers.get(last.output[0]!) ?? [];
    const next = users.length === 1 && users[0]!.op_type === op && users[0]!.input.some((i) => i !== last.output[0] && index.isConstant(i)) ? users[0] : undefined;
    if (!next) break;
    last = next;
  }
  return { input: x, output: last.output[0]!, last, form: 'decomposed' };
}
