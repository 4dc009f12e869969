// Works out a model's family and dimensions. The graph is the truth for sizes (layers, width, vocabulary);
// config.json supplies the family and the head count when the graph alone does not say. Stage: model.
import type { GraphIndex } from '../onnx/graph-index.js';
import { PatchbayError } from '../errors.js';
import { FAMILY_SCOPES } from '../sites/family-scopes.js';
import { countLayers } from '../sites/find-sites.js';
import type { Family, ModelDims } from './model-types.js';

export type HfConfig = Record<string, unknown>;

export function detectFamily(index: GraphIndex, config: HfConfig | undefined): Family {
  const type = config?.model_type;
  if (type === 'gpt2' || type === 'gpt_neox') return type;
  if (typeof type === 'string') {
    throw new PatchbayError('MODEL_FAMILY_UNKNOWN',
      `config.json says model_type "${type}"; Patchbay supports "gpt2" and "gpt_neox" (Pythia)`);
  }
  for (const family of Object.keys(FAMILY_SCOPES) as Family[]) {
    if (countLayers(index, family) > 0) return family;
  }
  throw new PatchbayError('MODEL_FAMILY_UNKNOWN',
    'no config.json model_type, and the graph has neither GPT-2 (/transformer/h.N/…) nor GPT-NeoX (/gpt_neox/layers.N/…) node scopes');
}

export function describeDims(index: GraphIndex, family: Family, config: HfConfig | undefined): ModelDims {
  const nLayers = countLayers(index, family);
  const [vocabSize, dModel] = embeddingShape(index, family);
  const num = (...keys: string[]) => keys.map((k) => config?.[k]).find((v): v is number => typeof v === 'number');
  const nHeads = num('n_head', 'num_attention_heads') ?? headsFromGraph(index, family);
  if (!nHeads || dModel % nHeads !== 0) {
    throw new PatchbayError('MODEL_LAYOUT_UNSUPPORTED',
      `cannot tell the number of attention heads (config says ${nHeads ?? 'nothing'}, width ${dModel}): add n_head / num_attention_heads to config.json`);
  }
  const dMlp = num('n_inner', 'intermediate_size') ?? 4 * dModel;
  return { nLayers, dModel, nHeads, dHead: dModel / nHeads, dMlp, vocabSize };
}

function embeddingShape(index: GraphIndex, family: Family): [number, number] {
  const scope = FAMILY_SCOPES[family].tokenEmbedding;
  for (const node of index.nodesInScope(scope)) {
    for (const input of node.input) {
      const t = index.initializers.get(input);
      if (t && t.dims.length === 2) return [Number(t.dims[0]), Number(t.dims[1])];
    }
  }
  throw new PatchbayError('SITES_NOT_FOUND', `no token embedding table found in scope ${scope}`);
}

/** The per-head Reshape of the attention scope has shape [B, S, H, Dh·k] with H and Dh·k constant. */
function headsFromGraph(index: GraphIndex, family: Family): number | undefined {
  const s = FAMILY_SCOPES[family];
  for (const node of index.nodesInScope(`${s.layer(0)}/${s.attention}`)) {
    if (node.op_type !== 'Reshape') continue;
    const shape = index.producer.get(node.input[1]!);
    const parts = shape?.op_type === 'Concat' ? shape.input.map((v) => index.constantNumbers(v)) : [];
    if (parts.length === 4 && parts[2]?.length === 1) return parts[2][0];
  }
  return undefined;
}
