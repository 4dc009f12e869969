// onnxruntime's transformer optimizer fuses the residual add into the next LayerNorm (com.microsoft
// SkipLayerNormalization), so the residual stream exists only inside the fused op (or as its optional 4th output,
// which a slot could read but not write). Splitting each such node back into Add + LayerNormalization makes the
// residual stream an ordinary tensor again. Stage: ModelProto → ModelProto (before the structure is read).
import type { Graph, ModelProto, NodeProto } from './onnx-schema.js';

const SKIP_NORM = 'SkipLayerNormalization';

/** Returns the model unchanged if it has no SkipLayerNormalization; otherwise a copy with each one split. */
export function unfuseSkipNorms(proto: ModelProto): ModelProto {
  const g = proto.graph;
  if (!g.node.some(isSplittable)) return proto;
  const node: NodeProto[] = g.node.flatMap((n) => (isSplittable(n) ? splitSkipNorm(n) : [n]));
  const graph: Graph = { ...g, node };
  return { ...proto, graph };
}

/** Inputs (input, skip, gamma, beta?, bias?); outputs (y, mean?, inv_std?, input_skip_bias_sum?). Mean and inverse
 *  standard deviation are training outputs: a node that exposes them is left fused. */
function isSplittable(n: NodeProto): boolean {
  return n.op_type === SKIP_NORM && n.domain === 'com.microsoft' && !n.output[1] && !n.output[2];
}

function splitSkipNorm(n: NodeProto): NodeProto[] {
  const [input, skip, gamma, beta, bias] = n.input;
  const p = `${n.name || n.output[0]}/patchbay_unfused`;
  const out: NodeProto[] = [];
  let branch = input!;
  if (bias) {
    // The bias belongs to the branch (the projection whose bias the optimizer folded in), not to the residual.
    branch = `${p}/biased`;
    out.push({ name: `${p}/AddBias`, op_type: 'Add', input: [input!, bias], output: [branch], attribute: [] });
  }
  const sum = n.output[3] || `${p}/sum`;
  out.push({ name: `${p}/AddSkip`, op_type: 'Add', input: [branch, skip!], output: [sum], attribute: [] });
  const epsilon = n.attribute.filter((a) => a.name === 'epsilon');
  out.push({
    name: `${p}/LayerNormalization`, op_type: 'LayerNormalization', domain: '',
    input: beta ? [sum, gamma!, beta] : [sum, gamma!], output: [n.output[0]!], attribute: epsilon,
  });
  return out;
}
