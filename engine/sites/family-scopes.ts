// Where each model family's modules sit in a torch-exported graph: the module scopes the exporter writes into node
// names. One table per family; adding Llama means adding a row here and a q/k/v rule in find-sites.ts.
import type { Family } from '../model/model-types.js';

export interface FamilyScopes {
  /** Matches a node name inside layer N; group 1 is N. */
  layerPattern: RegExp;
  layer: (n: number) => string;
  /** Scopes relative to the layer scope. */
  ln1: string;
  ln2: string;
  attention: string;
  attentionOut: string;
  mlpAct: string;
  mlpOut: string;
  /** The token embedding lookup (absolute). */
  tokenEmbedding: string;
  /** How the per-head q, k, v tensors come out of the fused projection. */
  qkvSplit: 'split' | 'slice-heads';
}

export const FAMILY_SCOPES: Record<Family, FamilyScopes> = {
  gpt2: {
    layerPattern: /^\/transformer\/h\.(\d+)\//,
    layer: (n) => `/transformer/h.${n}`,
    ln1: 'ln_1', ln2: 'ln_2', attention: 'attn', attentionOut: 'attn/c_proj', mlpAct: 'mlp/act', mlpOut: 'mlp/c_proj',
    tokenEmbedding: '/transformer/wte',
    qkvSplit: 'split',
  },
  gpt_neox: {
    layerPattern: /^\/gpt_neox\/layers\.(\d+)\//,
    layer: (n) => `/gpt_neox/layers.${n}`,
    ln1: 'input_layernorm', ln2: 'post_attention_layernorm', attention: 'attention', attentionOut: 'attention/dense',
    mlpAct: 'mlp/act', mlpOut: 'mlp/dense_4h_to_h',
    tokenEmbedding: '/gpt_neox/embed_in',
    qkvSplit: 'slice-heads',
  },
};
