// Whether a value feeds attention: its data reaches a Softmax (or an onnxruntime fused attention op) before passing
// through another LayerNorm. Tells a block's attention LayerNorm from its MLP one. Stage: structure.
import type { GraphIndex } from '../onnx/graph-index.js';

export const FUSED_ATTENTION = new Set(['Attention', 'MultiHeadAttention', 'GroupQueryAttention', 'PackedAttention', 'PackedMultiHeadAttention']);

/** `normOutputs`: every LayerNorm output (traversal stops there; decomposed LayerNorms have no single node). */
export function reachesAttention(index: GraphIndex, values: readonly string[], normOutputs: ReadonlySet<string>): boolean {
  const seen = new Set<string>();
  const stack = [...values];
  while (stack.length > 0 && seen.size < 5000) {
    const v = stack.pop()!;
    if (!v || seen.has(v)) continue;
    seen.add(v);
    for (const u of index.dataUsers(v)) {
      if (u.op_type === 'Softmax' || FUSED_ATTENTION.has(u.op_type)) return true;
      if (u.op_type === 'LayerNormalization' || u.op_type === 'SkipLayerNormalization') continue;
      for (const o of u.output) if (o && !normOutputs.has(o)) stack.push(o);
    }
  }
  return false;
}
