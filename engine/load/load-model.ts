// Builds a LoadedModel from the bytes of a model's files: decodes the graph (weights stay views into the bytes),
// lifts legacy merged decoders, splits onnxruntime's fused residual norms, reads the block structure, detects the
// family, measures dimensions and finds the hook sites. A site the graph does not hold is recorded with the reason;
// the model loads as long as its structure is a decoder's. Stage: model bytes → LoadedModel.
import { decodeModel, type DecodedModel } from '../onnx/model-file.js';
import { flattenMergedDecoder } from '../onnx/flatten-merged.js';
import { unfuseSkipNorms } from '../onnx/unfuse.js';
import { GraphIndex } from '../onnx/graph-index.js';
import { PatchbayError } from '../errors.js';
import { readSkeleton } from '../structure/skeleton.js';
import { splitSharedNorms } from '../structure/split-shared-norms.js';
import { findSites, type SiteGap, type SiteMap } from '../sites/find-sites.js';
import { siteId } from '../sites/site-id.js';
import { createTokenizer, type TextTokenizer } from '../tokenizer.js';
import { detectFamily, describeDims } from '../model/describe.js';
import { graphFacts, type GraphFacts } from '../model/graph-facts.js';
import type { Family, ModelDims, ModelFiles } from '../model/model-types.js';

export type { ModelFiles };

/** Facts about a model, safe to send across the worker boundary. */
export interface ModelInfo {
  name: string;
  family: Family;
  /** What decided the family (config.json, parameter names, block structure). */
  familyEvidence: string;
  dims: ModelDims;
  bytes: number;
  hasTokenizer: boolean;
  graphInputs: string[];
  graph: GraphFacts;
  /** Sites the graph does not hold, by site id (`L3.head_query_output`), with the reason. */
  unavailableSites: Record<string, string>;
}

export interface LoadedModel {
  info: ModelInfo;
  decoded: DecodedModel;
  sites: SiteMap;
  tokenizer?: TextTokenizer;
}

/** `decoded`: the files' graph when the caller decoded it already (openAnyModel looks for GRU nodes first). */
export function loadModel(files: ModelFiles, decoded: DecodedModel = decodeModel(files.model, files.externalFiles)): LoadedModel {
  const lifted = flattenMergedDecoder(decoded.proto);
  const unfused = unfuseSkipNorms(lifted);
  const proto = splitSharedNorms(unfused, new GraphIndex(unfused.graph));
  const index = new GraphIndex(proto.graph);
  if (!index.graphOutputs.has('logits')) {
    throw new PatchbayError('MODEL_LAYOUT_UNSUPPORTED',
      `the graph has no "logits" output (it has ${[...index.graphOutputs].slice(0, 4).join(', ')}${index.graphOutputs.size > 4 ? ', …' : ''}): export the model with its language-model head`);
  }
  const read = readSkeleton(index);
  if ('problem' in read) {
    throw new PatchbayError('MODEL_LAYOUT_UNSUPPORTED', `the graph is not a GPT-2 / GPT-NeoX style decoder Patchbay can read: ${read.problem}`);
  }
  const { family, evidence } = detectFamily(index, files.config, read.skeleton);
  const dims = describeDims(index, read.skeleton, family, files.config);
  const { sites, gaps } = findSites(index, read.skeleton);
  const tokenizer = files.tokenizer ? createTokenizer(files.tokenizer, files.tokenizerConfig) : undefined;
  if (tokenizer && tokenizer.maxId >= dims.vocabSize) {
    throw new PatchbayError('TOKENIZER_MISMATCH',
      `tokenizer.json produces ids up to ${tokenizer.maxId}, but the model's vocabulary has ${dims.vocabSize} entries (0–${dims.vocabSize - 1}): the tokenizer belongs to another model`);
  }
  const info: ModelInfo = {
    name: files.name, family, familyEvidence: evidence, dims, bytes: files.model.byteLength, hasTokenizer: !!tokenizer,
    graphInputs: [...index.graphInputs], graph: graphFacts(proto, index, lifted !== decoded.proto), unavailableSites: gapRecord(gaps),
  };
  return { info, decoded: { ...decoded, proto }, sites, tokenizer };
}

function gapRecord(gaps: SiteGap[]): Record<string, string> {
  return Object.fromEntries(gaps.map((g) => [siteId({ layer: g.layer, component: g.component }), g.reason]));
}
