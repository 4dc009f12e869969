// Legacy "merged decoder" files (decoder_model_merged.onnx) hold the transformer twice, inside a top-level `If` on
// `use_cache_branch`. Patchbay runs prompts without a cache, so it lifts the no-cache branch to the top level.
// Stage: ModelProto → ModelProto (before the site map).
import type { Graph, ModelProto, NodeProto } from './onnx-schema.js';

/** Returns the model unchanged if it has no top-level cache `If`; otherwise a copy with the no-cache branch lifted. */
export function flattenMergedDecoder(proto: ModelProto): ModelProto {
  const g = proto.graph;
  const ifNode = g.node.find((n) => n.op_type === 'If' && g.input.some((i) => i.name === n.input[0] && i.name === 'use_cache_branch'));
  if (!ifNode) return proto;
  const branch = ifNode.attribute.find((a) => a.name === 'else_branch')?.g;
  if (!branch) return proto;
  const nodes: NodeProto[] = g.node.filter((n) => n !== ifNode);
  nodes.push(...branch.node);
  // The branch's outputs have their own names; the If gave them the names the outside world binds.
  ifNode.output.forEach((outer, i) => {
    const inner = branch.output[i]?.name;
    if (inner && inner !== outer) nodes.push({ name: `patchbay/lift/${outer}`, op_type: 'Identity', input: [inner], output: [outer], attribute: [] });
  });
  const used = new Set(nodes.flatMap((n) => n.input));
  const flat: Graph = {
    ...g,
    node: nodes,
    initializer: [...g.initializer, ...branch.initializer],
    input: g.input.filter((i) => used.has(i.name)),
    value_info: [...g.value_info, ...branch.value_info],
  };
  return { ...proto, graph: flat };
}
