// The dynamo exporter merges identical computations: when a parallel block's two LayerNorms have equal weights (a
// freshly initialised model) it keeps one LayerNormalization feeding both attention and MLP. Patchbay's attention
// and MLP inputs must be separate tensors (writing one must not change the other), so such a node is duplicated and
// the MLP side rewired to the copy. Stage: ModelProto → ModelProto (before the skeleton is read).
import { GraphIndex } from '../onnx/graph-index.js';
import type { ModelProto, NodeProto } from '../onnx/onnx-schema.js';
import { findLayerNorms } from './layer-norms.js';
import { reachesAttention } from './attention-reach.js';

export function splitSharedNorms(proto: ModelProto, index: GraphIndex): ModelProto {
  const all = findLayerNorms(index);
  const outputs = new Set(all.map((u) => u.output));
  const norms = all.filter((u) => u.form === 'op');
  const copies = new Map<NodeProto, { copy: NodeProto; rewire: Set<NodeProto> }>();
  for (const u of norms) {
    const users = index.dataUsers(u.output);
    const toAttention = users.filter((c) => reachesAttention(index, c.output, outputs));
    const others = users.filter((c) => !toAttention.includes(c));
    if (toAttention.length === 0 || others.length === 0) continue;
    const out = `${u.output}/patchbay_mlp_copy`;
    copies.set(u.last, { copy: { ...u.last, name: `${u.last.name || u.output}/patchbay_mlp_copy`, output: [out] }, rewire: new Set(others) });
  }
  if (copies.size === 0) return proto;
  const renamed = new Map<NodeProto, [string, string]>();
  for (const [orig, { copy, rewire }] of copies) for (const c of rewire) renamed.set(c, [orig.output[0]!, copy.output[0]!]);
  const node = proto.graph.node.flatMap((n) => {
    const r = renamed.get(n);
    const rewired = r ? { ...n, input: n.input.map((i) => (i === r[0] ? r[1] : i)) } : n;
    const c = copies.get(n);
    return c ? [rewired, c.copy] : [rewired];
  });
  return { ...proto, graph: { ...proto.graph, node } };
}
