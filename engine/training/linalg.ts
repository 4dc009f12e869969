// Small dense linear algebra for training in TypeScript: seeded Gaussian samples, orthonormal columns by modified
// Gram–Schmidt (the Q of a QR decomposition with a positive diagonal: the QR retraction), transposes. Stage: training.

/** Uniform in [−0.5, 0.5), from a seed (Park–Miller). */
export function seededRandom(seed: number): () => number {
  let s = seed % 2147483647 || 1;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
}

/** Standard normal samples from a uniform generator in [−0.5, 0.5) (Box–Muller). */
export function gaussian(rnd: () => number): () => number {
  return () => {
    const u = Math.max(rnd() + 0.5, 1e-12);
    const v = rnd() + 0.5;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

/**
 * Replaces the columns of the row-major `rows × cols` matrix `m` by orthonormal ones spanning the same nested
 * subspaces (modified Gram–Schmidt, twice for accuracy): m ← Q of m = QR with diag(R) > 0. Returns m.
 */
export function orthonormalize(m: Float64Array, rows: number, cols: number): Float64Array {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < cols; j++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < rows; i++) dot += m[i * cols + j]! * m[i * cols + k]!;
        for (let i = 0; i < rows; i++) m[i * cols + j]! -= dot * m[i * cols + k]!;
      }
      let norm = 0;
      for (let i = 0; i < rows; i++) norm += m[i * cols + j]! ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let i = 0; i < rows; i++) m[i * cols + j]! /= norm;
    }
  }
  return m;
}

/** A random `rows × cols` matrix with orthonormal columns (Haar-distributed: Q of a Gaussian matrix). */
export function randomOrthonormal(rows: number, cols: number, rnd: () => number): Float64Array {
  const g = gaussian(rnd);
  return orthonormalize(Float64Array.from({ length: rows * cols }, g), rows, cols);
}

export function transpose(m: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j]!;
  return t;
}
