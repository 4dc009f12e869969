// What a model reference string names: a bundled model id, a local folder or .onnx file, a URL, or a Hugging Face
// repo id. Stage: model (before any bytes are read). Pure: decides nothing about how bytes are fetched.
import { PatchbayError } from '../errors.js';

export type ModelRef =
  | { kind: 'bundled'; id: string }
  | { kind: 'path'; path: string; isOnnxFile: boolean }
  | { kind: 'url'; url: string; isOnnxFile: boolean }
  | { kind: 'hub'; repo: string; url: string };

export const HUB_BASE = 'https://huggingface.co';

/** Which model files to prefer: fp32 (`model.onnx`) or a quantized variant (`model_quantized.onnx`, …). */
export type ModelVariant = 'fp32' | 'quantized' | 'int8' | 'q4' | 'fp16';

export function variantSuffix(v: ModelVariant): string {
  return v === 'fp32' ? '' : `_${v}`;
}

export function parseModelRef(ref: string, bundledIds: readonly string[] = []): ModelRef {
  const r = ref.trim();
  if (!r) throw new PatchbayError('MODEL_NOT_FOUND', 'no model given: name a bundled model, a folder, an .onnx file, a URL or a Hugging Face repo id');
  if (bundledIds.includes(r)) return { kind: 'bundled', id: r };
  const onnx = /\.onnx(\?.*)?$/i.test(r);
  if (/^https?:\/\//i.test(r)) return { kind: 'url', url: r.replace(/\/+$/, ''), isOnnxFile: onnx };
  if (r.startsWith('/') || r.startsWith('.') || onnx || r.includes('\\')) return { kind: 'path', path: r, isOnnxFile: onnx };
  if (/^[\w.-]+\/[\w.-]+$/.test(r)) return { kind: 'hub', repo: r, url: `${HUB_BASE}/${r}/resolve/main` };
  throw new PatchbayError('MODEL_NOT_FOUND',
    `"${r}" is not a bundled model (${bundledIds.join(', ') || 'none'}), a path, a URL or a Hugging Face repo id like "Xenova/gpt2"`);
}
