// Builds a LoadedModel from the bytes of a model's files: decodes the graph (weights stay views into the bytes),
// lifts legacy merged decoders, detects the family, measures dimensions and finds the hook sites. Stage: model.
import { decodeModel, type DecodedModel } from '../onnx/model-file.js';
import { flattenMergedDecoder } from '../onnx/flatten-merged.js';
import { GraphIndex } from '../onnx/graph-index.js';
import { PatchbayError } from '../errors.js';
import { findSites, type SiteMap } from '../sites/find-sites.js';
import { createTokenizer, type TextTokenizer } from '../tokenizer.js';
import { detectFamily, describeDims } from '../model/describe.js';
import type { Family, ModelDims, ModelFiles } from '../model/model-types.js';

export type { ModelFiles };

/** Facts about a model, safe to send across the worker boundary. */
export interface ModelInfo {
  name: string;
  family: Family;
  dims: ModelDims;
  bytes: number;
  hasTokenizer: boolean;
  graphInputs: string[];
}

export interface LoadedModel {
  info: ModelInfo;
  decoded: DecodedModel;
  sites: SiteMap;
  tokenizer?: TextTokenizer;
}

export function loadModel(files: ModelFiles): LoadedModel {
  const decoded = decodeModel(files.model, files.externalFiles);
  const proto = flattenMergedDecoder(decoded.proto);
  const index = new GraphIndex(proto.graph);
  rejectFused(index);
  const family = detectFamily(index, files.config);
  const dims = describeDims(index, family, files.config);
  const sites = findSites(index, family, dims);
  const tokenizer = files.tokenizer ? createTokenizer(files.tokenizer, files.tokenizerConfig) : undefined;
  const flat: DecodedModel = { ...decoded, proto };
  const info: ModelInfo = {
    name: files.name, family, dims, bytes: files.model.byteLength, hasTokenizer: !!tokenizer,
    graphInputs: [...index.graphInputs],
  };
  return { info, decoded: flat, sites, tokenizer };
}

function rejectFused(index: GraphIndex): void {
  const fused = index.graph.node.filter((n) => ['Attention', 'MultiHeadAttention', 'GroupQueryAttention', 'EmbedLayerNormalization'].includes(n.op_type));
  if (fused.length === 0) return;
  throw new PatchbayError('MODEL_LAYOUT_UNSUPPORTED',
    `the graph uses fused ops (${[...new Set(fused.map((n) => n.op_type))].join(', ')}, e.g. ${fused[0]!.name}): per-head tensors ` +
    'and attention outputs exist only inside them. Load an unfused export (the Hugging Face hub files, or optimum without the ORT optimizer).');
}
