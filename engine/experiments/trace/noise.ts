// The corruption of a causal trace: noise added to the subject tokens' token embeddings, as ROME draws it —
// Gaussian (or uniform in [−1, 1)) samples of shape [samples][subject tokens][d_model] times a scale, the same
// samples for every cell — or explicit values. Stage: plan (for the trace).
//
// Generator: engine/util/random.ts (mulberry32 uniforms, Box–Muller normals), seeded with the trace's seed and
// drawn in row-major order (sample, token, feature). It is not numpy's generator, so the values differ from ROME's
// for the same seed; pass them explicitly (noiseValues / --noise-file) to reproduce a ROME run exactly.
import { PatchbayError } from '../../errors.js';
import { seededRng } from '../../util/random.js';
import type { TraceInputs, TraceOptions } from './options.js';

export const NOISE_GENERATOR = 'mulberry32 uniforms + Box–Muller normals (engine/util/random.ts), row-major [sample][token][feature]';

export interface NoiseReport {
  /** gaussian / uniform: generated; explicit: given values; replace: token replacement (no noise). */
  kind: 'gaussian' | 'uniform' | 'explicit' | 'replace';
  /** The noise option as given ("s3", 0.1), or null. */
  spec: string | number | null;
  /** Multiplier of the unit samples (null for explicit values and replacement). */
  scale: number | null;
  /** Std of the subject tokens' embeddings, when the scale is "sN". */
  embedding_std: number | null;
  /** Subjects the std was estimated from (null: the prompt's subject tokens). */
  std_subjects: string[] | null;
  seed: number | null;
  generator: string | null;
  /** [samples, subject tokens, d_model]. */
  shape: [number, number, number];
  /** Token ids of the corrupted run in replacement mode. */
  replace_ids?: number[];
  values?: number[][][];
}

export interface Noise {
  /** [samples × subject tokens × d_model], row-major; empty in replacement mode. */
  data: Float32Array;
  report: NoiseReport;
}

/** Parses the noise option: { factor } for "sN", { scale } for a number, { scale, uniform } for ROME's "uN". */
export function parseNoiseSpec(spec: number | string | undefined): { factor: number } | { scale: number; uniform?: true } {
  const s = spec ?? 's3';
  if (typeof s === 'number') {
    if (!Number.isFinite(s) || s < 0) throw new PatchbayError('TRACE_INVALID', `noise must be a finite number ≥ 0; got ${s}`, 'noise');
    return { scale: s };
  }
  const m = /^s(\d+(?:\.\d+)?)?$/.exec(s.trim());
  if (m) return { factor: m[1] === undefined ? 1 : Number(m[1]) };
  const u = /^u(\d+(?:\.\d+)?|\.\d+)$/.exec(s.trim());
  if (u) return { scale: Number(u[1]), uniform: true };
  const n = Number(s);
  if (s.trim() !== '' && Number.isFinite(n) && n >= 0) return { scale: n };
  throw new PatchbayError('TRACE_INVALID', `noise "${s}" is not a number, "sN" (N × the std of the subject embeddings, e.g. "s3") or "uN" (uniform in [−N, N))`, 'noise');
}

/** Unbiased std over every number of the given embeddings (torch's Tensor.std(), which ROME uses). */
export function embeddingStd(embeddings: Float32Array[]): number {
  let n = 0;
  let sum = 0;
  for (const e of embeddings) for (let i = 0; i < e.length; i++) { sum += e[i]!; n++; }
  if (n < 2) throw new PatchbayError('TRACE_INVALID', 'the noise std needs at least two embedding values', 'noiseSubjects');
  const mean = sum / n;
  let sq = 0;
  for (const e of embeddings) for (let i = 0; i < e.length; i++) sq += (e[i]! - mean) ** 2;
  return Math.sqrt(sq / (n - 1));
}

/**
 * Builds the noise. `subjectEmbeddings` is called only for "sN" scales: it returns the token embeddings of each id
 * list in inputs.stdIds.
 */
export async function makeNoise(opts: TraceOptions, inputs: TraceInputs, dModel: number,
  subjectEmbeddings: (ids: number[][]) => Promise<Float32Array[]>): Promise<Noise> {
  const tokens = inputs.subject[1] - inputs.subject[0];
  const shape: [number, number, number] = [inputs.samples, tokens, dModel];
  const base = { spec: null, scale: null, embedding_std: null, std_subjects: null, seed: null, generator: null, shape };
  if (inputs.replaceIds) {
    return { data: new Float32Array(0), report: { ...base, kind: 'replace', shape: [1, 0, dModel], replace_ids: inputs.replaceIds } };
  }
  if (opts.noiseValues) {
    const data = explicitNoise(opts.noiseValues, shape);
    return { data, report: { ...base, kind: 'explicit', ...(opts.returnNoise ? { values: opts.noiseValues } : {}) } };
  }
  const parsed = parseNoiseSpec(opts.noise);
  let scale: number;
  let std: number | null = null;
  if ('factor' in parsed) {
    std = embeddingStd(await subjectEmbeddings(inputs.stdIds));
    scale = parsed.factor * std;
  } else {
    scale = parsed.scale;
  }
  const uniform = !!opts.uniform || ('uniform' in parsed && !!parsed.uniform);
  const rng = seededRng(inputs.seed);
  const draw = uniform ? () => rng.uniform() * 2 - 1 : rng.gaussian;
  const data = new Float32Array(shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < data.length; i++) data[i] = scale * draw();
  const report: NoiseReport = {
    ...base, kind: uniform ? 'uniform' : 'gaussian', spec: opts.noise ?? 's3', scale, embedding_std: std,
    std_subjects: std === null ? null : inputs.stdSubjects, seed: inputs.seed, generator: NOISE_GENERATOR,
  };
  if (opts.returnNoise) report.values = toNested(data, shape);
  return { data, report };
}

function explicitNoise(values: number[][][], shape: [number, number, number]): Float32Array {
  const [samples, tokens, d] = shape;
  const data = new Float32Array(samples * tokens * d);
  for (let s = 0; s < samples; s++) {
    const rows = values[s]!;
    if (!Array.isArray(rows) || rows.length !== tokens) {
      throw new PatchbayError('TRACE_INVALID', `explicit noise sample ${s} has ${Array.isArray(rows) ? rows.length : 'no'} token rows; the subject has ${tokens} tokens`, 'noiseValues');
    }
    rows.forEach((row, t) => {
      if (!Array.isArray(row) || row.length !== d) {
        throw new PatchbayError('TRACE_INVALID', `explicit noise [${s}][${t}] has ${Array.isArray(row) ? row.length : 'no'} values; d_model is ${d}`, 'noiseValues');
      }
      if (row.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
        throw new PatchbayError('TRACE_INVALID', `explicit noise [${s}][${t}] holds a value that is not a finite number`, 'noiseValues');
      }
      data.set(row, (s * tokens + t) * d);
    });
  }
  return data;
}

export function toNested(data: Float32Array, [a, b, c]: [number, number, number]): number[][][] {
  return Array.from({ length: a }, (_, i) => Array.from({ length: b }, (_, j) => Array.from(data.subarray((i * b + j) * c, (i * b + j + 1) * c))));
}
