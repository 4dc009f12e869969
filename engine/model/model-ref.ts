// What a model reference string names: a bundled model id, a local folder or .onnx file, a URL, or a Hugging Face
// repo id. Stage: model (before any bytes are read). Pure: decides nothing about how bytes are fetched.
import { PatchbayError } from '../errors.js';

export type ModelRef =
  | { kind: 'bundled'; id: string }
  | { kind: 'path'; path: string; isOnnxFile: boolean }
  | { kind: 'url'; url: string; isOnnxFile: boolean }
  | { kind: 'hub'; repo: string; url: string };

export const HUB_BASE = 'https://huggingface.co';

/** Which of the hub's files to load (transformers.js layout): fp32 `model.onnx`, or `model_<variant>.onnx`. */
export const MODEL_VARIANTS = ['fp32', 'fp16', 'quantized', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const;
export type ModelVariant = (typeof MODEL_VARIANTS)[number];

export function variantSuffix(v: ModelVariant): string {
  return v === 'fp32' ? '' : `_${v}`;
}

/** `localPathExists`: the host's file check (Node). An existing local path wins over a hub id of the same shape, and
 *  a relative path needs no leading "./" when it exists. */
export function parseModelRef(ref: string, bundledIds: readonly string[] = [], localPathExists?: (path: string) => boolean): ModelRef {
  const r = ref.trim();
  if (!r) throw new PatchbayError('MODEL_NOT_FOUND', 'no model given: name a bundled model, a folder, an .onnx file, a URL or a Hugging Face repo id');
  if (bundledIds.includes(r)) return { kind: 'bundled', id: r };
  const onnx = /\.onnx(\?.*)?$/i.test(r);
  if (/^https?:\/\//i.test(r)) return { kind: 'url', url: r.replace(/\/+$/, ''), isOnnxFile: onnx };
  if (r.startsWith('/') || r.startsWith('.') || onnx || r.includes('\\') || localPathExists?.(r)) return { kind: 'path', path: r, isOnnxFile: onnx };
  if (/^[\w.-]+\/[\w.-]+$/.test(r)) return { kind: 'hub', repo: r, url: `${HUB_BASE}/${r}/resolve/main` };
  throw new PatchbayError('MODEL_NOT_FOUND',
    `"${r}" is not a bundled model (${bundledIds.join(', ') || 'none'}), a path, a URL or a Hugging Face repo id like "Xenova/gpt2"`);
}
