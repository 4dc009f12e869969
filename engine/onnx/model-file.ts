// Decoding an ONNX file and re-encoding an edited graph for the runtime, without touching the weights.
// Stage: model bytes → ModelProto → (edit) → runtime bytes + external-data mapping onto the original bytes.
import { ModelProtoType, type ModelProto, type TensorProto } from './onnx-schema.js';
import { PatchbayError } from '../errors.js';

/** Name under which the original file bytes are mounted for onnxruntime's external-data loader. */
export const WEIGHTS_MOUNT = 'patchbay-weights.bin';
/** Tensors smaller than this stay inline: not worth an external reference. */
const INLINE_LIMIT = 1024;

export interface DecodedModel {
  proto: ModelProto;
  /** The bytes the proto was decoded from; raw_data fields are views into them. */
  bytes: Uint8Array;
  /** External data files the model itself names (e.g. model.onnx_data), by location. */
  externalFiles: Map<string, Uint8Array>;
}

export function decodeModel(bytes: Uint8Array, externalFiles = new Map<string, Uint8Array>()): DecodedModel {
  let proto: ModelProto;
  try {
    proto = ModelProtoType.decode(bytes) as unknown as ModelProto;
  } catch (e) {
    throw new PatchbayError('MODEL_NOT_ONNX', `the file is not a valid ONNX model (${(e as Error).message})`);
  }
  if (!proto.graph || proto.graph.node.length === 0) {
    throw new PatchbayError('MODEL_NOT_ONNX', 'the file decodes but holds no graph nodes: not an ONNX model');
  }
  return { proto, bytes, externalFiles };
}

export interface RuntimeModel {
  /** Small ONNX bytes: the edited graph with large weights replaced by external references. */
  graphBytes: Uint8Array;
  /** Files to mount for onnxruntime (path → bytes); the original model bytes among them. */
  externalData: { path: string; data: Uint8Array }[];
}

/**
 * Encodes an (edited) model for onnxruntime. Every large initializer whose raw_data is a view into the original file
 * becomes an external reference to its byte range there, so weights are never copied or re-encoded: GPT-2 small
 * (500 MB) encodes to a few hundred kB of graph plus a mapping onto the bytes we already hold.
 */
export function encodeForRuntime(model: DecodedModel, proto: ModelProto = model.proto): RuntimeModel {
  const base = model.bytes;
  const swapped: { tensor: TensorProto; raw: Uint8Array | undefined; ext: TensorProto['external_data']; loc: number | undefined }[] = [];
  for (const t of proto.graph.initializer) {
    const raw = t.raw_data;
    if (!raw || raw.length < INLINE_LIMIT || raw.buffer !== base.buffer) continue;
    const offset = raw.byteOffset - base.byteOffset;
    swapped.push({ tensor: t, raw, ext: t.external_data, loc: t.data_location });
    t.raw_data = new Uint8Array(0);
    t.data_location = 1; // EXTERNAL
    t.external_data = [
      { key: 'location', value: WEIGHTS_MOUNT },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(raw.length) },
    ];
  }
  try {
    const graphBytes = ModelProtoType.encode(ModelProtoType.fromObject(proto as never)).finish();
    const externalData = [{ path: WEIGHTS_MOUNT, data: base }];
    for (const [path, data] of model.externalFiles) externalData.push({ path, data });
    return { graphBytes, externalData };
  } finally {
    // The decoded model is shared (never mutated from the caller's point of view): put the views back.
    for (const s of swapped) {
      s.tensor.raw_data = s.raw;
      s.tensor.external_data = s.ext ?? [];
      s.tensor.data_location = s.loc ?? 0;
    }
  }
}
