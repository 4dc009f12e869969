// Finds the tensor behind every (layer, component) of a decoder graph from its structure (the skeleton of LayerNorms
// and residual sums, the projections and attention products of each branch), never from node or parameter names, so
// any exporter's graph works. A site that cannot be found is recorded with the reason; only an experiment that asks
// for it fails. Stage: structure → site map.
import type { GraphIndex } from '../onnx/graph-index.js';
import type { Skeleton, Found, BlockSkeleton } from '../structure/skeleton.js';
import { COMPONENTS, type Component, type Layout } from './components.js';
import { attentionSites, branchNodes, mlpActivation, type SiteLookup } from './branch-sites.js';

/** Where a site's value lives in the graph. */
export interface SiteTensor {
  value: string;
  /** Layout of `value` itself (a slot converts it to the component's layout when they differ). */
  layout: Layout;
}

/** site map: layer → component → tensor. Layer 0 alone has `token_embedding`. */
export type SiteMap = Partial<Record<Component, SiteTensor>>[];

/** A site the graph does not hold as a tensor, and why. */
export interface SiteGap {
  layer: number;
  component: Component;
  reason: string;
}

export interface SiteTable {
  sites: SiteMap;
  gaps: SiteGap[];
}

export function findSites(index: GraphIndex, skeleton: Skeleton): SiteTable {
  const sites: SiteMap = [];
  const gaps: SiteGap[] = [];
  skeleton.blocks.forEach((block, layer) => {
    const found = layerSites(index, block);
    if (layer === 0) {
      const emb = skeleton.embedding;
      found.token_embedding = 'missing' in emb ? emb
        : emb.output ? { value: emb.output, layout: 'bsd' } : { missing: 'the token embeddings are fused with the first LayerNorm (EmbedLayerNormalization)' };
    }
    const row: Partial<Record<Component, SiteTensor>> = {};
    for (const component of COMPONENTS) {
      const f = found[component];
      if (!f) continue;
      if ('missing' in f) gaps.push({ layer, component, reason: f.missing });
      else row[component] = f;
    }
    sites.push(row);
  });
  return { sites, gaps };
}

function layerSites(index: GraphIndex, block: BlockSkeleton): Partial<Record<Component, SiteLookup>> {
  const bsd = (f: Found): SiteLookup => ('missing' in f ? f : { value: f.value, layout: 'bsd' });
  const out: Partial<Record<Component, SiteLookup>> = {
    block_input: bsd(block.input),
    block_output: bsd(block.output),
    attention_input: { value: block.ln1.output, layout: 'bsd' },
    mlp_input: { value: block.ln2.output, layout: 'bsd' },
    attention_output: bsd(block.attentionOutput),
    mlp_output: bsd(block.mlpOutput),
  };
  const mlp = block.mlpOutput;
  out.mlp_activation = 'missing' in mlp ? mlp : mlpActivation(index, branchNodes(index, block.ln2.output, mlp.value));
  const attn = block.attentionOutput;
  if ('missing' in attn) {
    for (const c of ATTENTION_INTERNALS) out[c] = attn;
    return out;
  }
  const a = attentionSites(index, branchNodes(index, block.ln1.output, attn.value), block.ln1.output);
  out.attention_value_output = a.attention_value_output;
  out.head_attention_value_output = a.head_attention_value_output;
  out.attention_weight = a.attention_weight;
  for (const [role, lookup] of [['query', a.query], ['key', a.key], ['value', a.value]] as const) {
    out[`${role}_output`] = lookup;
    out[`head_${role}_output`] = lookup;
  }
  return out;
}

const ATTENTION_INTERNALS: Component[] = [
  'attention_value_output', 'head_attention_value_output', 'attention_weight', 'query_output', 'key_output', 'value_output',
  'head_query_output', 'head_key_output', 'head_value_output',
];
