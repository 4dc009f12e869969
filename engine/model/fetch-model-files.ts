// Gathers a model's files through a FileAccess: the graph (trying the hub's layouts in order), config.json,
// tokenizer.json and any external weight files the graph names. Stage: model bytes.
import { PatchbayError } from '../errors.js';
import type { FileAccess, LoadProgress } from '../io/file-access.js';
import { decodeModel } from '../onnx/model-file.js';
import { variantSuffix, type ModelVariant } from './model-ref.js';
import type { ModelFiles } from './model-types.js';

export interface FetchOptions {
  /** An explicit graph file (relative to the access root); otherwise the hub layouts are tried. */
  modelFile?: string;
  variant?: ModelVariant;
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
  /** The most this host can hold (all files together): a browser tab's wasm memory. Refused as soon as a
   *  download announces more, before the bytes are fetched. */
  maxBytes?: number;
}

export function modelFileCandidates(variant: ModelVariant = 'fp32'): string[] {
  const s = variantSuffix(variant);
  return [`onnx/model${s}.onnx`, `model${s}.onnx`, `onnx/decoder_model_merged${s}.onnx`, `decoder_model_merged${s}.onnx`];
}

export async function fetchModelFiles(files: FileAccess, name: string, opts: FetchOptions = {}): Promise<ModelFiles> {
  const guard = sizeGuard(opts.maxBytes);
  // Accesses without progress events (dropped files) are counted when their bytes arrive.
  const access: FileAccess = { describe: files.describe, read: async (p, o) => guard.count(p, await files.read(p, o)) };
  const io = { onProgress: (p: LoadProgress) => { guard.see(p); opts.onProgress?.(p); }, signal: opts.signal };
  const candidates = opts.modelFile ? [opts.modelFile] : modelFileCandidates(opts.variant);
  // config.json sits at the repo root; for a loose .onnx file it may sit beside the file or one folder up.
  const jsonFiles = (dir: string) => Promise.all(['config.json', 'tokenizer.json', 'tokenizer_config.json'].map(async (file) => {
    for (const p of dir && !dir.startsWith('onnx/') ? [`${dir}${file}`, file] : [file]) {
      const bytes = await access.read(p, io);
      if (bytes) return parseJson(bytes, `${access.describe}/${p}`);
    }
    return undefined;
  }));
  // Graphs at the root or in onnx/ (every bundled and hub layout) read those at the root: asked for while the graph
  // downloads, not after it (three round trips fewer).
  const rootJson = candidates.every((c) => jsonDir(c) === '') ? jsonFiles('') : undefined;
  rootJson?.catch(() => undefined); // awaited below; a failure must not surface before the graph's own
  let modelPath: string | undefined;
  let model: Uint8Array | undefined;
  for (const c of candidates) {
    model = await access.read(c, io);
    if (model) { modelPath = c; break; }
  }
  if (!model || !modelPath) {
    throw new PatchbayError('MODEL_NOT_FOUND', `no ONNX graph in ${access.describe}: tried ${candidates.join(', ')}`);
  }
  const dir = modelPath.includes('/') ? modelPath.slice(0, modelPath.lastIndexOf('/') + 1) : '';
  const [config, tokenizer, tokenizerConfig] = await (rootJson ?? jsonFiles(dir)) as [Record<string, unknown> | undefined, unknown, unknown];
  const externalFiles = new Map<string, Uint8Array>();
  for (const location of externalLocations(model)) {
    const bytes = await access.read(`${dir}${location}`, io);
    if (!bytes) throw new PatchbayError('MODEL_NOT_FOUND', `the graph keeps its weights in "${location}", which is missing from ${access.describe}`);
    externalFiles.set(location, bytes);
  }
  return { name, model, config, tokenizer, tokenizerConfig, externalFiles };
}

/** Where the JSON files of a graph at this path are looked for first ('' = only the root). */
function jsonDir(modelPath: string): string {
  const dir = modelPath.includes('/') ? modelPath.slice(0, modelPath.lastIndexOf('/') + 1) : '';
  return dir.startsWith('onnx/') ? '' : dir;
}

function externalLocations(model: Uint8Array): string[] {
  const proto = decodeModel(model).proto;
  const found = new Set<string>();
  for (const t of proto.graph.initializer) {
    const loc = t.external_data?.find((e) => e.key === 'location')?.value;
    if (loc) found.add(loc);
  }
  return [...found];
}

function parseJson(bytes: Uint8Array, where: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new PatchbayError('MODEL_NOT_FOUND', `${where} is not valid JSON: ${(e as Error).message}`);
  }
}

function sizeGuard(maxBytes: number | undefined) {
  const sizes = new Map<string, number>();
  const check = (file: string, bytes: number) => {
    sizes.set(file, Math.max(sizes.get(file) ?? 0, bytes));
    const total = [...sizes.values()].reduce((a, b) => a + b, 0);
    if (maxBytes !== undefined && total > maxBytes) {
      throw new PatchbayError('MODEL_TOO_LARGE',
        `the model's files come to ${gigabytes(total)} GB or more (${file} alone ${gigabytes(bytes)} GB); this host holds at most ` +
        `${gigabytes(maxBytes)} GB (a browser tab's onnxruntime lives in 4 GB of wasm memory): open a quantized variant ` +
        '(model_quantized, model_q4), or run the model with the patchbay CLI or an exported pyvene / nnsight script');
    }
  };
  return {
    see(p: LoadProgress): void {
      const n = p.status === 'done' ? p.bytes : p.total;
      if (n !== undefined) check(p.file, n);
    },
    count(file: string, bytes: Uint8Array | undefined): Uint8Array | undefined {
      if (bytes) check(file, bytes.byteLength);
      return bytes;
    },
  };
}

function gigabytes(n: number): string {
  return (n / 2 ** 30).toFixed(2);
}
