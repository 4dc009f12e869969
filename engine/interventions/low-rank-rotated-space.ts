// LowRankRotatedSpaceIntervention: W (F×r, orthonormal columns, pyvene's rotate_layer.weight) spans the subspace;
// x' = x + ((s − x)·W)·Wᵀ over the chosen columns of W (subspaces / interchange_dim index W's r columns).
import { z } from 'zod';
import { MatrixParam, toMatrix } from './params.js';
import { projectionFromColumns, range } from './basis.js';
import { lowRankSwap } from './reference-math.js';
import { writeWholeSource, type InterventionType } from './intervention-type.js';

const Params = z.object({ weight: MatrixParam }).passthrough();
type P = z.infer<typeof Params>;

const matrix = (p: P, features: number) => toMatrix(p.weight, features, null, 'weight');

export const lowRankRotatedSpace: InterventionType<P> = {
  name: 'LowRankRotatedSpaceIntervention',
  needsSource: true,
  slotKind: 'projected',
  trainable: true,
  params: Params as z.ZodType<P>,
  write: writeWholeSource,
  coordinates: (p, features) => matrix(p, features).cols,
  projection: (p, coords, features) => {
    const w = matrix(p, features);
    return projectionFromColumns(w, coords ?? range(w.cols));
  },
  reference: (base, source, coords, p) => {
    const w = matrix(p, base.length);
    const weights = new Float64Array(w.cols);
    for (const c of coords ?? range(w.cols)) weights[c] = 1;
    return lowRankSwap(base, source!, w, weights);
  },
};
