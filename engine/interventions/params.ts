// Parameters of intervention types that are vectors or matrices: given inline (nested arrays of numbers) or as a
// binary side file of little-endian float32 (`{"file": "rotation.f32", "shape": [768, 768], "offset": 0}`), which the
// host (CLI: files beside the experiment; app: dropped files) supplies by name. Stage: plan.
import { z } from 'zod';
import { PatchbayError } from '../errors.js';

/** Row-major matrix. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

export type SideFiles = Record<string, Uint8Array>;

const FileRef = z.object({
  file: z.string().min(1),
  shape: z.array(z.number().int().positive()).min(1).max(2),
  offset: z.number().int().nonnegative().default(0),
}).strict();
export type FileRef = z.infer<typeof FileRef>;

const ResolvedMatrix = z.custom<Matrix>((v) => !!v && typeof v === 'object' && (v as Matrix).data instanceof Float32Array);
/** Inline rows, a side-file reference, or (after resolveSideFiles) the matrix read from it. */
export const MatrixParam = z.union([z.array(z.array(z.number().finite()).min(1)).min(1), FileRef, ResolvedMatrix]);
export const VectorParam = z.union([z.array(z.number().finite()).min(1), FileRef]);

/** Replaces every {file, shape} reference in params by a Matrix (or a number[] for one-dimensional shapes). */
export function resolveSideFiles(params: Record<string, unknown>, files: SideFiles, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    const ref = FileRef.safeParse(value);
    out[key] = ref.success ? readRef(ref.data, files, `${path}.${key}`) : value;
  }
  return out;
}

function readRef(ref: FileRef, files: SideFiles, path: string): Matrix | number[] {
  const bytes = files[ref.file];
  if (!bytes) throw new PatchbayError('INTERVENTION_INVALID', `side file "${ref.file}" was not provided`, path);
  const count = ref.shape.reduce((a, b) => a * b, 1);
  if (ref.offset + count * 4 > bytes.length) {
    throw new PatchbayError('INTERVENTION_INVALID', `side file "${ref.file}" has ${bytes.length} bytes; shape [${ref.shape}] at offset ${ref.offset} needs ${ref.offset + count * 4}`, path);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + ref.offset, count * 4);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
  if (ref.shape.length === 1) return Array.from(data);
  return { rows: ref.shape[0]!, cols: ref.shape[1]!, data };
}

/** A matrix param as a Matrix, checking its shape. */
export function toMatrix(value: unknown, rows: number | null, cols: number | null, what: string): Matrix {
  let m: Matrix;
  if (Array.isArray(value)) {
    const r = value as number[][];
    const c = r[0]!.length;
    if (r.some((row) => row.length !== c)) throw new PatchbayError('INTERVENTION_INVALID', `${what}: rows have different lengths`);
    m = { rows: r.length, cols: c, data: Float32Array.from(r.flat()) };
  } else {
    m = value as Matrix;
  }
  if ((rows !== null && m.rows !== rows) || (cols !== null && m.cols !== cols)) {
    throw new PatchbayError('SHAPE_MISMATCH', `${what} is ${m.rows}×${m.cols}; expected ${rows ?? 'any'}×${cols ?? 'any'}`);
  }
  return m;
}

export function checkLength(v: number[], n: number, what: string): number[] {
  if (v.length !== n) throw new PatchbayError('SHAPE_MISMATCH', `${what} has ${v.length} values; expected ${n}`);
  return v;
}
