// How each trainable subspace intervention is parametrised, as the slot's projection term (s − x)·U·Vᵀ sees it:
//   LowRankRotatedSpace (rank r):   U = R (D×r, orthonormal columns),          Vᵀ = Rᵀ
//   RotatedSpace (interchange_dim k): U = R[:, :k] of an orthogonal D×D R,     Vᵀ = R[:, :k]ᵀ
//   BoundlessRotatedSpace:          U = R·diag(m), m_j = σ(j/T)·σ((b·D − j)/T), Vᵀ = Rᵀ   (b trained, T annealed)
//   SigmoidMask:                    U = diag(σ(w/T)), Vᵀ = I   (no rotation: each feature mixed by its own weight)
// Each maps the gradients of U and Vᵀ (summed over a cell's rows) to its parameters, and retracts R to orthonormal
// columns after the optimiser step (QR; for RotatedSpace only the first k columns matter, so only they are trained and
// the rest is completed at export). Stage: training.
import { PatchbayError } from '../errors.js';
import { orthonormalize, randomOrthonormal } from './linalg.js';

export type TrainableType = 'LowRankRotatedSpaceIntervention' | 'RotatedSpaceIntervention' | 'BoundlessRotatedSpaceIntervention' | 'SigmoidMaskIntervention';
export const TRAINABLE_TYPES: TrainableType[] = ['LowRankRotatedSpaceIntervention', 'RotatedSpaceIntervention', 'BoundlessRotatedSpaceIntervention', 'SigmoidMaskIntervention'];
/** SigmoidMask's fixed temperature here: masks start at 0 (m = 0.5, where σ' is largest) rather than at the
 *  descriptor's defaults (masks 100, temperature 50: near full interchange). */
export const SIGMOID_MASK_TEMPERATURE = 1;

export interface Schedule { step: number; steps: number }

export interface Parametrization {
  type: TrainableType;
  /** Columns of U (the projection's rank as fed). */
  cols: number;
  init(rnd: () => number): Float64Array;
  /** U (D×cols) and Vᵀ (cols×D), row-major. */
  uv(theta: Float64Array, at: Schedule): { u: Float64Array; vt: Float64Array };
  /** d loss / d theta from d loss / dU and d loss / dVᵀ. */
  grad(theta: Float64Array, gu: Float64Array, gvt: Float64Array, at: Schedule): Float64Array;
  retract(theta: Float64Array): void;
  /** The intervention's pyvene-style params and its rotation / weight matrix (row-major, rows × cols). */
  export(theta: Float64Array, rnd: () => number): { matrix: Float32Array; rows: number; cols: number; params: Record<string, number> };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** pyvene's Boundless DAS schedule: the temperature falls linearly from 50 to 0.1 over training. */
export function boundlessTemperature(at: Schedule): number {
  return at.steps <= 1 ? 0.1 : 50 + ((0.1 - 50) * at.step) / (at.steps - 1);
}

function projection(d: number, r: number, type: TrainableType): Parametrization {
  const retract = (theta: Float64Array) => { orthonormalize(theta, d, r); };
  return {
    type, cols: r,
    init: (rnd) => randomOrthonormal(d, r, rnd),
    uv: (theta) => ({ u: theta, vt: transposeF64(theta, d, r) }),
    grad: (_theta, gu, gvt) => {
      const g = Float64Array.from(gu);
      for (let i = 0; i < d; i++) for (let q = 0; q < r; q++) g[i * r + q]! += gvt[q * d + i]!;
      return g;
    },
    retract,
    export: (theta, rnd): ReturnType<Parametrization['export']> => {
      if (type === 'LowRankRotatedSpaceIntervention') return { matrix: Float32Array.from(theta), rows: d, cols: r, params: {} };
      return { matrix: completeRotation(theta, d, r, rnd), rows: d, cols: d, params: { interchange_dim: r } };
    },
  };
}

/** θ = [R (D×D) row-major, b]. */
function boundless(d: number): Parametrization {
  const mask = (b: number, t: number) => Float64Array.from({ length: d }, (_, j) => sigmoid(j / t) * sigmoid((clampB(b) * d - j) / t));
  return {
    type: 'BoundlessRotatedSpaceIntervention', cols: d,
    init: (rnd) => { const th = new Float64Array(d * d + 1); th.set(randomOrthonormal(d, d, rnd)); th[d * d] = 0.5; return th; },
    uv: (theta, at) => {
      const m = mask(theta[d * d]!, boundlessTemperature(at));
      const u = new Float64Array(d * d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) u[i * d + j] = theta[i * d + j]! * m[j]!;
      return { u, vt: transposeF64(theta.subarray(0, d * d), d, d) };
    },
    grad: (theta, gu, gvt, at) => {
      const t = boundlessTemperature(at);
      const b = theta[d * d]!;
      const m = mask(b, t);
      const g = new Float64Array(d * d + 1);
      let gb = 0;
      for (let j = 0; j < d; j++) {
        let gm = 0;
        for (let i = 0; i < d; i++) {
          g[i * d + j] = gu[i * d + j]! * m[j]! + gvt[j * d + i]!;
          gm += gu[i * d + j]! * theta[i * d + j]!;
        }
        const hi = sigmoid((clampB(b) * d - j) / t);
        const inside = b > 1e-3 && b < 1 ? 1 : 0; // the clamp's gradient
        gb += gm * sigmoid(j / t) * hi * (1 - hi) * (d / t) * inside;
      }
      g[d * d] = gb;
      return g;
    },
    retract: (theta) => { orthonormalize(theta.subarray(0, d * d), d, d); },
    export: (theta) => ({ matrix: Float32Array.from(theta.subarray(0, d * d)), rows: d, cols: d, params: { intervention_boundaries: clampB(theta[d * d]!), temperature: 0.1 } }),
  };
}

/** θ = w (D mask logits): x' = x + (s − x)·diag(σ(w/T)). */
function sigmoidMask(d: number): Parametrization {
  const T = SIGMOID_MASK_TEMPERATURE;
  const eye = new Float64Array(d * d);
  for (let i = 0; i < d; i++) eye[i * d + i] = 1;
  return {
    type: 'SigmoidMaskIntervention', cols: d,
    init: () => new Float64Array(d),
    uv: (theta) => {
      const u = new Float64Array(d * d);
      for (let i = 0; i < d; i++) u[i * d + i] = sigmoid(theta[i]! / T);
      return { u, vt: eye };
    },
    grad: (theta, gu) => Float64Array.from(theta, (w, i) => { const m = sigmoid(w / T); return (gu[i * d + i]! * m * (1 - m)) / T; }),
    retract: () => undefined,
    export: (theta) => ({ matrix: Float32Array.from(theta), rows: d, cols: 1, params: { temperature: T } }),
  };
}

const clampB = (b: number) => Math.min(1, Math.max(1e-3, b));

export function parametrization(type: TrainableType, d: number, rank: number): Parametrization {
  if (type === 'LowRankRotatedSpaceIntervention' || type === 'RotatedSpaceIntervention') {
    if (!Number.isInteger(rank) || rank < 1 || rank > d) throw new PatchbayError('TRAINING_INVALID', `rank ${rank} must be between 1 and the ${d} features of the site`);
    return projection(d, rank, type);
  }
  if (type === 'BoundlessRotatedSpaceIntervention') return boundless(d);
  if (type === 'SigmoidMaskIntervention') return sigmoidMask(d);
  throw new PatchbayError('TRAINING_INVALID', `${String(type)} is not trainable here; use one of ${TRAINABLE_TYPES.join(', ')}`);
}

function transposeF64(m: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j]!;
  return t;
}

/** A full orthogonal D×D matrix whose first r columns are θ's (the rest: random, orthonormalised after them). */
function completeRotation(theta: Float64Array, d: number, r: number, rnd: () => number): Float32Array {
  const extra = randomOrthonormal(d, d, rnd);
  const full = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) full[i * d + j] = j < r ? theta[i * r + j]! : extra[i * d + j]!;
  return Float32Array.from(orthonormalize(full, d, d));
}

/** U and Vᵀ of a trained intervention from its exported matrix and params (what evaluation and loading feed). */
export function projectionOf(type: TrainableType, matrix: Float32Array, rows: number, cols: number, params: Record<string, number>): { u: Float64Array; vt: Float64Array; cols: number } {
  const d = rows;
  if (type === 'LowRankRotatedSpaceIntervention') return { u: Float64Array.from(matrix), vt: transposeF64(matrix, d, cols), cols };
  if (type === 'RotatedSpaceIntervention') {
    const k = params.interchange_dim ?? cols;
    const u = new Float64Array(d * k);
    for (let i = 0; i < d; i++) for (let j = 0; j < k; j++) u[i * k + j] = matrix[i * cols + j]!;
    return { u, vt: transposeF64(u, d, k), cols: k };
  }
  if (type === 'SigmoidMaskIntervention') {
    const u = new Float64Array(d * d);
    const vt = new Float64Array(d * d);
    for (let i = 0; i < d; i++) { u[i * d + i] = sigmoid(matrix[i]! / (params.temperature ?? SIGMOID_MASK_TEMPERATURE)); vt[i * d + i] = 1; }
    return { u, vt, cols: d };
  }
  const t = params.temperature ?? 0.1;
  const b = clampB(params.intervention_boundaries ?? 0.5);
  const u = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) u[i * d + j] = matrix[i * d + j]! * sigmoid(j / t) * sigmoid((b * d - j) / t);
  return { u, vt: transposeF64(matrix, d, d), cols: d };
}
