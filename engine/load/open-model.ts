// Opens a model from a reference string: resolves it, fetches its files through the FileAccess the host provides
// (Node: folders and fetch; browser: fetch with a cache, dropped Files), and loads it. Stage: model.
import type { FileAccess, LoadProgress } from '../io/file-access.js';
import { fetchModelFiles } from '../model/fetch-model-files.js';
import { loadModel, type LoadedModel } from './load-model.js';
import { parseModelRef, type ModelRef, type ModelVariant } from '../model/model-ref.js';

/** How a host reaches the files of a reference: the access root and, for a loose .onnx file, its name. */
export type AccessResolver = (ref: ModelRef) => Promise<{ access: FileAccess; modelFile?: string }>;

export interface OpenOptions {
  bundledIds?: readonly string[];
  /** The host's file check: existing local paths win over hub ids (see parseModelRef). */
  localPathExists?: (path: string) => boolean;
  variant?: ModelVariant;
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
  /** See FetchOptions.maxBytes. */
  maxBytes?: number;
}

export async function openModel(reference: string, resolve: AccessResolver, opts: OpenOptions = {}): Promise<LoadedModel> {
  const ref = parseModelRef(reference, opts.bundledIds, opts.localPathExists);
  const { access, modelFile } = await resolve(ref);
  const files = await fetchModelFiles(access, reference, { modelFile, variant: opts.variant, onProgress: opts.onProgress, signal: opts.signal, maxBytes: opts.maxBytes });
  return loadModel(files);
}
