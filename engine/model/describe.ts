// Works out a model's family and dimensions. The graph is the truth for sizes (layers, width, vocabulary, and the
// head count and MLP width where config.json is missing or silent); config.json names the family where it has one,
// and parameter names or the block structure do otherwise. Stage: model.
import type { GraphIndex } from '../onnx/graph-index.js';
import { PatchbayError } from '../errors.js';
import { reshapeTarget } from '../structure/axes.js';
import type { Skeleton } from '../structure/skeleton.js';
import { FAMILY_LIST, familyOfModelType } from './families.js';
import type { Family, ModelDims } from './model-types.js';

export type HfConfig = Record<string, unknown>;

export interface FamilyDetection {
  family: Family;
  /** What decided it: "config.json model_type", "parameter names" or "block structure". */
  evidence: string;
}

export function detectFamily(index: GraphIndex, config: HfConfig | undefined, skeleton: Skeleton): FamilyDetection {
  const type = config?.model_type;
  if (typeof type === 'string') {
    const family = familyOfModelType(type);
    if (family) return { family, evidence: 'config.json model_type' };
    throw new PatchbayError('MODEL_FAMILY_UNKNOWN',
      `config.json says model_type "${type}"; Patchbay supports ${FAMILY_LIST.map((f) => `"${f.modelTypes[0]}" (${f.displayName})`).join(' and ')}`);
  }
  const names = [...index.initializers.keys(), ...index.graph.node.map((n) => n.name)];
  const votes = FAMILY_LIST.map((f) => ({ f, n: names.filter((x) => f.nameHint.test(x)).length })).sort((a, b) => b.n - a.n);
  if (votes[0]!.n > 0 && votes[0]!.n > (votes[1]?.n ?? 0)) return { family: votes[0]!.f.family, evidence: 'parameter names' };
  // GPT-NeoX adds attention and MLP to the same residual (parallel); GPT-2 chains them.
  return { family: skeleton.blocks.some((b) => b.parallel) ? 'gpt_neox' : 'gpt2', evidence: 'block structure' };
}

export function describeDims(index: GraphIndex, skeleton: Skeleton, family: Family, config: HfConfig | undefined): ModelDims {
  const keys = FAMILY_LIST.find((f) => f.family === family)!.config;
  const num = (names: readonly string[]) => names.map((k) => config?.[k]).find((v): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0);
  const emb = 'missing' in skeleton.embedding ? undefined : skeleton.embedding;
  const dModel = emb?.dModel ?? num(['n_embd', 'hidden_size']);
  const vocabSize = emb?.vocabSize ?? num(['vocab_size']);
  if (!dModel || !vocabSize) {
    const why = 'missing' in skeleton.embedding ? skeleton.embedding.missing : 'no embedding table';
    throw new PatchbayError('MODEL_LAYOUT_UNSUPPORTED', `cannot tell the model width and vocabulary: ${why}, and config.json does not say (n_embd / hidden_size, vocab_size)`);
  }
  const fromConfig = num(keys.heads);
  const nHeads = fromConfig ?? headsFromGraph(index, dModel);
  if (!nHeads || !Number.isInteger(nHeads) || nHeads < 1 || dModel % nHeads !== 0) {
    throw new PatchbayError('MODEL_LAYOUT_UNSUPPORTED',
      `cannot tell the number of attention heads (${fromConfig !== undefined ? `config.json says ${fromConfig}` : 'config.json does not say, nor does the graph'}; width ${dModel}): ` +
      `add ${keys.heads[0]} to config.json (it must divide ${dModel})`);
  }
  const dMlp = num(keys.mlp) ?? mlpWidthFromGraph(index, dModel, vocabSize) ?? 4 * dModel;
  const contextLength = num(keys.context) ?? emb?.positions;
  return { nLayers: skeleton.blocks.length, dModel, nHeads, dHead: dModel / nHeads, dMlp, vocabSize, ...(contextLength ? { contextLength } : {}) };
}

/** The head split: a Reshape to [B, S, H, Dh·k] with H and Dh·k constant, H·Dh·k = D or 3·D (fused q/k/v);
 *  else the declared shape of a past key/value input [B, H, past, Dh]. */
function headsFromGraph(index: GraphIndex, dModel: number): number | undefined {
  const counts = new Map<number, number>();
  for (const node of index.graph.node) {
    if (node.op_type !== 'Reshape') continue;
    const t = reshapeTarget(index, node);
    if (t?.length !== 4 || !t[2] || !t[3]) continue;
    if (t[2] * t[3] === dModel || t[2] * t[3] === 3 * dModel) counts.set(t[2], (counts.get(t[2]) ?? 0) + 1);
  }
  const best = [...counts].sort((a, b) => b[1] - a[1])[0];
  if (best) return best[0];
  for (const input of index.graph.input) {
    if (!/past/.test(input.name)) continue;
    const dims = input.type?.tensor_type?.shape?.dim ?? [];
    const h = Number(dims.length === 4 ? dims[1]?.dim_value : dims.length === 5 ? dims[2]?.dim_value : 0);
    if (h > 0) return h;
  }
  return undefined;
}

/** The MLP width: the other dimension of the weights that are [D, M] or [M, D] (M not D, 3·D or the vocabulary). */
function mlpWidthFromGraph(index: GraphIndex, dModel: number, vocab: number): number | undefined {
  const counts = new Map<number, number>();
  for (const t of index.initializers.values()) {
    if (t.dims.length !== 2) continue;
    const [a, b] = [Number(t.dims[0]), Number(t.dims[1])];
    const other = a === dModel ? b : b === dModel ? a : undefined;
    if (other && other !== dModel && other !== 3 * dModel && other !== vocab) counts.set(other, (counts.get(other) ?? 0) + 1);
  }
  const best = [...counts].sort((x, y) => y[1] - x[1])[0];
  return best && best[1] >= 2 ? best[0] : undefined;
}
