// Plain tensors: what the engine passes around instead of onnxruntime's Tensor, so results survive structuredClone
// and cross the worker boundary. Stage: runtime.

export interface FloatTensor {
  data: Float32Array;
  dims: number[];
}

export function floatTensor(data: Float32Array | number[], dims: number[]): FloatTensor {
  const arr = data instanceof Float32Array ? data : Float32Array.from(data);
  const size = dims.reduce((a, b) => a * b, 1);
  if (arr.length !== size) throw new Error(`tensor data has ${arr.length} values; dims [${dims}] need ${size}`);
  return { data: arr, dims };
}

export function zeros(dims: number[]): FloatTensor {
  return { data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims };
}

/** Row-major strides of a shape. */
export function strides(dims: number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1]! * dims[i + 1]!;
  return s;
}
