// Reading the numbers of small TensorProtos (constants, shape vectors), and building new ones for inserted nodes.
// Stage: ModelProto helpers. Large weights are never read through here.
import { DataType, type TensorProto } from './onnx-schema.js';

const MAX_READ = 1 << 16; // elements; larger tensors are weights and are left alone

export function readTensorNumbers(t: TensorProto): number[] | undefined {
  const count = (t.dims ?? []).reduce((a, b) => a * Number(b), 1);
  if (count > MAX_READ) return undefined;
  if (t.float_data?.length) return t.float_data.map(Number);
  if (t.int64_data?.length) return t.int64_data.map(Number);
  if (t.int32_data?.length) return t.int32_data.map(Number);
  if (t.double_data?.length) return t.double_data.map(Number);
  const raw = t.raw_data;
  if (!raw || raw.length === 0) return count === 0 ? [] : undefined;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: number[] = [];
  switch (t.data_type) {
    case DataType.FLOAT: for (let i = 0; i < raw.length / 4; i++) out.push(view.getFloat32(i * 4, true)); break;
    case DataType.DOUBLE: for (let i = 0; i < raw.length / 8; i++) out.push(view.getFloat64(i * 8, true)); break;
    case DataType.INT64: for (let i = 0; i < raw.length / 8; i++) out.push(Number(view.getBigInt64(i * 8, true))); break;
    case DataType.INT32: for (let i = 0; i < raw.length / 4; i++) out.push(view.getInt32(i * 4, true)); break;
    case DataType.INT8: for (let i = 0; i < raw.length; i++) out.push(view.getInt8(i)); break;
    case DataType.UINT8: case DataType.BOOL: for (let i = 0; i < raw.length; i++) out.push(raw[i]!); break;
    default: return undefined;
  }
  return out;
}

export function int64Tensor(name: string, values: number[], dims: number[] = [values.length]): TensorProto {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return { name, dims, data_type: DataType.INT64, raw_data: raw };
}

export function floatTensor(name: string, values: ArrayLike<number>, dims: number[]): TensorProto {
  const raw = new Uint8Array(new Float32Array(Array.from(values)).buffer);
  return { name, dims, data_type: DataType.FLOAT, raw_data: raw };
}
