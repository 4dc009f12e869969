// The skeleton of a pre-LayerNorm decoder read from graph structure alone, whoever exported it: the token embedding,
// and per block its two LayerNorms, the residual stream entering and leaving it, and the attention and MLP branch
// outputs (the terms the residual adds). Node names and parameter names are never needed. Stage: ModelProto → structure.
//
//   sequential (GPT-2):  h = x + attn(ln1(x));  out = h + mlp(ln2(h))        LayerNorms: 2 per block + 1 final
//   parallel (NeoX):     out = x + attn(ln1(x)) + mlp(ln2(x))
import type { GraphIndex } from '../onnx/graph-index.js';
import { findLayerNorms, type LayerNormUnit } from './layer-norms.js';
import { findEmbedding, type Embedding } from './embedding.js';
import { reachesAttention } from './attention-reach.js';

/** A value found, or why not. */
export type Found = { value: string } | { missing: string };

export interface BlockSkeleton {
  ln1: LayerNormUnit;
  ln2: LayerNormUnit;
  /** Residual entering the block (ln1's input); missing when the embeddings are fused into ln1. */
  input: Found;
  /** Residual leaving the block: the next LayerNorm's input. */
  output: Found;
  parallel: boolean;
  attentionOutput: Found;
  mlpOutput: Found;
}

export interface Skeleton {
  embedding: Embedding | { missing: string };
  blocks: BlockSkeleton[];
  finalNorm: LayerNormUnit;
}

export type SkeletonResult = { skeleton: Skeleton } | { problem: string };

export function readSkeleton(index: GraphIndex): SkeletonResult {
  const norms = findLayerNorms(index);
  if (norms.length < 3 || norms.length % 2 === 0) {
    return { problem: `found ${norms.length} LayerNorm${norms.length === 1 ? '' : 's'}; a GPT-2 / GPT-NeoX decoder has two per block and a final one (an odd number ≥ 3)` };
  }
  const n = (norms.length - 1) / 2;
  const blocks: BlockSkeleton[] = [];
  const outputs = new Set(norms.map((u) => u.output));
  const feedsAttention = (u: LayerNormUnit) => reachesAttention(index, [u.output], outputs);
  for (let l = 0; l < n; l++) blocks.push(readBlock(index, norms[2 * l]!, norms[2 * l + 1]!, norms[2 * l + 2]!, feedsAttention));
  return { skeleton: { embedding: findEmbedding(index, blocks[0]!.ln1), blocks, finalNorm: norms[2 * n]! } };
}

function readBlock(index: GraphIndex, a: LayerNormUnit, b: LayerNormUnit, next: LayerNormUnit, feedsAttention: (u: LayerNormUnit) => boolean): BlockSkeleton {
  const parallel = a.input !== undefined && a.input === b.input;
  // In a parallel block both norms read the same residual; the attention norm is the one whose output reaches a Softmax.
  const [ln1, ln2] = parallel && !feedsAttention(a) && feedsAttention(b) ? [b, a] : [a, b];
  const input: Found = ln1.input ? { value: ln1.input } : { missing: `the embeddings are fused into the first LayerNorm (${ln1.last.op_type})` };
  if (!next.input) {
    const missing = 'the next LayerNorm hides its input';
    return { ln1, ln2, input, output: { missing }, parallel, attentionOutput: { missing }, mlpOutput: { missing } };
  }
  const output: Found = { value: next.input };
  // Opening the sum down to the block's input also opens the sequential block's middle residual (ln2's input).
  const stops = new Set(ln1.input ? [ln1.input] : []);
  const terms = residualTerms(index, next.input, stops).filter((t) => !stops.has(t));
  const mlpAncestry = (t: string) => index.ancestors(t, new Set([ln2.output])).has(ln2.output);
  const attnAncestry = (t: string) => index.ancestors(t, new Set([ln1.output])).has(ln1.output);
  const mlp = terms.filter(mlpAncestry);
  const attn = terms.filter((t) => !mlpAncestry(t) && attnAncestry(t));
  const pick = (list: string[], what: string): Found => (list.length === 1 ? { value: list[0]! }
    : { missing: `the residual sum has ${list.length} ${what} terms (expected 1) among ${terms.length} terms` });
  return { ln1, ln2, input, output, parallel, attentionOutput: pick(attn, 'attention'), mlpOutput: pick(mlp, 'MLP') };
}

/** The terms a residual value sums: Add nodes of two activations are opened up; anything else (a projection, a bias
 *  Add with a constant, a value in `stops`) is a term. */
function residualTerms(index: GraphIndex, value: string, stops: ReadonlySet<string>): string[] {
  const terms: string[] = [];
  const stack = [value];
  while (stack.length > 0 && terms.length < 16) {
    const v = stack.pop()!;
    const p = index.producer.get(v);
    const open = !stops.has(v) && p?.op_type === 'Add' && p.input.length === 2 && p.input.every((i) => index.isActivation(i));
    if (open) stack.push(p.input[0]!, p.input[1]!);
    else terms.push(v);
  }
  return terms;
}
