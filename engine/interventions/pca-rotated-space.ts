// PCARotatedSpaceIntervention: standardise with `mean` and `std`, rotate into the PCA basis (`components`: k×F, rows
// orthonormal, sklearn's components_), exchange the chosen components, and undo. The graph computes
// x' = x + std ⊙ (((s − x)/std)·Cᵀ_sel·C_sel); pyvene's own formula also projects the base onto the components'
// span, which is the same when the components span the space (k = F) and keeps the base's remainder otherwise.
import { z } from 'zod';
import { MatrixParam, VectorParam, checkLength, toMatrix, type Matrix } from './params.js';
import { projectionFromColumns, range, transpose } from './basis.js';
import { writeWholeSource, type InterventionType } from './intervention-type.js';

const Params = z.object({ components: MatrixParam, mean: VectorParam, std: VectorParam }).passthrough();
type P = z.infer<typeof Params>;

const comps = (p: P, features: number): Matrix => toMatrix(p.components, null, features, 'components');
const vec = (v: unknown, n: number, what: string) => checkLength(v as number[], n, what);

export const pcaRotatedSpace: InterventionType<P> = {
  name: 'PCARotatedSpaceIntervention',
  needsSource: true,
  slotKind: 'projected',
  trainable: false,
  params: Params as z.ZodType<P>,
  write: writeWholeSource,
  coordinates: (p, features) => comps(p, features).rows,
  projection: (p, coords, features) => {
    const c = comps(p, features);
    const std = vec(p.std, features, 'std');
    return projectionFromColumns(transpose(c), coords ?? range(c.rows), { rowIn: std.map((s) => 1 / s), rowOut: std });
  },
  reference: (base, source, coords, p) => {
    // pyvene's steps, literally: standardise, rotate, swap, rotate back, unstandardise.
    const F = base.length;
    const c = comps(p, F);
    const mean = vec(p.mean, F, 'mean');
    const std = vec(p.std, F, 'std');
    const rot = (x: Float32Array) => range(c.rows).map((j) => range(F).reduce((a, f) => a + ((x[f]! - mean[f]!) / std[f]!) * c.data[j * F + f]!, 0));
    const rb = rot(base);
    const rs = rot(source!);
    for (const j of coords ?? range(c.rows)) rb[j] = rs[j]!;
    return Float32Array.from(range(F).map((f) => range(c.rows).reduce((a, j) => a + rb[j]! * c.data[j * F + f]!, 0) * std[f]! + mean[f]!));
  },
};
