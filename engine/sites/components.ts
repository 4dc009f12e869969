// The pyvene components Patchbay offers, with their axes and sizes as functions of the model's dimensions.
// Stage: site map vocabulary. Names are pyvene's, so configs round-trip; `token_embedding` is Patchbay's own
// (ROME corrupts the token embedding before position embeddings are added).
import type { ModelDims } from '../model/model-types.js';

/** How a site's tensor is laid out. `bsd`: [batch, pos, feature]; `bhsd`: [batch, head, pos, d_head];
 *  `bshd`: [batch, pos, head, d_head] (only as found in graphs); `bhst`: [batch, head, query pos, key pos]. */
export type Layout = 'bsd' | 'bhsd' | 'bshd' | 'bhst';

export const COMPONENTS = [
  'block_input', 'block_output', 'mlp_input', 'mlp_activation', 'mlp_output', 'attention_input', 'attention_output',
  'attention_value_output', 'head_attention_value_output', 'query_output', 'key_output', 'value_output',
  'head_query_output', 'head_key_output', 'head_value_output', 'attention_weight', 'token_embedding',
] as const;
export type Component = (typeof COMPONENTS)[number];

export interface ComponentInfo {
  /** The layout interventions see (a site found in another layout is converted by its slot). */
  layout: Layout;
  /** Size of the last axis. */
  featureSize: (d: ModelDims) => number;
  /** Whether the `h` and `h.pos` units apply. */
  perHead: boolean;
  description: string;
}

const dModel = (d: ModelDims) => d.dModel;
const dHead = (d: ModelDims) => d.dHead;

export const COMPONENT_INFO: Record<Component, ComponentInfo> = {
  block_input: { layout: 'bsd', featureSize: dModel, perHead: false, description: 'residual stream entering the block' },
  block_output: { layout: 'bsd', featureSize: dModel, perHead: false, description: 'residual stream leaving the block' },
  mlp_input: { layout: 'bsd', featureSize: dModel, perHead: false, description: 'input of the MLP (after its LayerNorm)' },
  mlp_activation: { layout: 'bsd', featureSize: (d) => d.dMlp, perHead: false, description: 'MLP hidden activation (after GELU)' },
  mlp_output: { layout: 'bsd', featureSize: dModel, perHead: false, description: 'output of the MLP' },
  attention_input: { layout: 'bsd', featureSize: dModel, perHead: false, description: 'input of attention (after its LayerNorm)' },
  attention_output: { layout: 'bsd', featureSize: dModel, perHead: false, description: 'output of attention (after the output projection)' },
  attention_value_output: { layout: 'bsd', featureSize: dModel, perHead: false, description: 'head outputs concatenated, before the output projection' },
  head_attention_value_output: { layout: 'bhsd', featureSize: dHead, perHead: true, description: 'one head\'s output, before the output projection' },
  query_output: { layout: 'bsd', featureSize: dModel, perHead: false, description: 'queries (before rotary embedding)' },
  key_output: { layout: 'bsd', featureSize: dModel, perHead: false, description: 'keys (before rotary embedding)' },
  value_output: { layout: 'bsd', featureSize: dModel, perHead: false, description: 'values' },
  head_query_output: { layout: 'bhsd', featureSize: dHead, perHead: true, description: 'one head\'s queries' },
  head_key_output: { layout: 'bhsd', featureSize: dHead, perHead: true, description: 'one head\'s keys' },
  head_value_output: { layout: 'bhsd', featureSize: dHead, perHead: true, description: 'one head\'s values' },
  attention_weight: { layout: 'bhst', featureSize: () => 0, perHead: true, description: 'attention probabilities [head, query, key]' },
  token_embedding: { layout: 'bsd', featureSize: dModel, perHead: false, description: 'token embeddings before position embeddings (layer 0 only)' },
};

export function isComponent(name: string): name is Component {
  return (COMPONENTS as readonly string[]).includes(name);
}
