// Everything Patchbay knows about each model family, in one table: how to recognise it (config.json's model_type,
// parameter and module names any exporter keeps), which config keys hold its sizes, its display name, and where its
// PyTorch originals live. describe.ts, the pyvene export and the app read it. Stage: model.
import type { Family } from './model-types.js';

export interface FamilyInfo {
  family: Family;
  displayName: string;
  /** config.json `model_type` values. */
  modelTypes: readonly string[];
  /** Matches parameter names or node names an export of this family keeps (any wrapper prefix allowed). */
  nameHint: RegExp;
  /** config.json keys, first present wins. */
  config: { heads: readonly string[]; mlp: readonly string[]; context: readonly string[] };
  /** ONNX hub repos (Xenova/…, onnx-community/…) whose names start so map to this PyTorch organisation. */
  pytorchOrigins: readonly { prefix: RegExp; org: string }[];
}

export const FAMILIES: Record<Family, FamilyInfo> = {
  gpt2: {
    family: 'gpt2',
    displayName: 'GPT-2',
    modelTypes: ['gpt2'],
    nameHint: /(^|[./])(transformer[./]h[./]\d+|transformer[./]wte|c_attn|c_fc)([./]|$)/,
    config: { heads: ['n_head', 'num_attention_heads'], mlp: ['n_inner', 'intermediate_size'], context: ['n_positions', 'n_ctx', 'max_position_embeddings'] },
    pytorchOrigins: [{ prefix: /^(gpt2|distilgpt2)/, org: 'openai-community' }],
  },
  gpt_neox: {
    family: 'gpt_neox',
    displayName: 'GPT-NeoX (Pythia)',
    modelTypes: ['gpt_neox'],
    nameHint: /(^|[./])(gpt_neox|embed_in|query_key_value|dense_h_to_4h|dense_4h_to_h)([./]|$)/,
    config: { heads: ['num_attention_heads', 'n_head'], mlp: ['intermediate_size', 'n_inner'], context: ['max_position_embeddings', 'n_positions'] },
    pytorchOrigins: [{ prefix: /^pythia/, org: 'EleutherAI' }],
  },
};

export const FAMILY_LIST: readonly FamilyInfo[] = Object.values(FAMILIES);

export function familyOfModelType(modelType: string): Family | undefined {
  return FAMILY_LIST.find((f) => f.modelTypes.includes(modelType))?.family;
}

export function isFamily(name: string): name is Family {
  return name in FAMILIES;
}
