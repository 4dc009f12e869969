// The shared shape of the full-rotation types (RotatedSpace, Boundless, SigmoidMaskRotatedSpace): rotate by an
// orthogonal R (rotated = x·R), mix each rotated coordinate j between base and source by a weight w_j, rotate back:
// x' = x + (s − x)·R·diag(w)·Rᵀ. Each type only says which coordinates it mixes and how much.
import { z } from 'zod';
import { MatrixParam, toMatrix } from './params.js';
import { projectionFromColumns } from './basis.js';
import { rotateSwapBack } from './reference-math.js';
import { writeWholeSource, type InterventionType } from './intervention-type.js';

export const RotationParams = z.object({ rotation: MatrixParam }).passthrough();

export interface Mixing {
  /** Rotated coordinates that take part. */
  cols: number[];
  /** Their weights (1 = the source's value, 0 = the base's); all 1 when omitted. */
  weight?: number[];
}

export function defineRotationType<P extends z.infer<typeof RotationParams>>(
  name: string,
  params: z.ZodType<P>,
  mixing: (p: P, coords: number[] | null, features: number) => Mixing,
): InterventionType<P> {
  const rotation = (p: P, features: number) => toMatrix(p.rotation, features, features, 'rotation');
  return {
    name,
    needsSource: true,
    slotKind: 'projected',
    trainable: true,
    params,
    write: writeWholeSource,
    coordinates: (_p, features) => features,
    projection: (p, coords, features) => {
      const m = mixing(p, coords, features);
      return projectionFromColumns(rotation(p, features), m.cols, { weight: m.weight });
    },
    reference: (base, source, coords, p) => {
      const m = mixing(p, coords, base.length);
      const w = new Float64Array(base.length);
      m.cols.forEach((c, j) => { w[c] = m.weight?.[j] ?? 1; });
      return rotateSwapBack(base, source!, rotation(p, base.length), w);
    },
  };
}
