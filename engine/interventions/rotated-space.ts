// RotatedSpaceIntervention (DAS): rotate base and source by an orthogonal R (rotated = x·R), exchange the chosen
// rotated coordinates (subspaces, or the first interchange_dim), rotate back. As a projection:
// x' = x + (s − x)·W·Wᵀ with W = R's chosen columns. `rotation` is F×F (pyvene's rotate_layer.weight).
import { z } from 'zod';
import { MatrixParam, toMatrix } from './params.js';
import { projectionFromColumns, range } from './basis.js';
import { rotateSwapBack } from './reference-math.js';
import { writeWholeSource, type InterventionType } from './intervention-type.js';

const Params = z.object({ rotation: MatrixParam }).passthrough();
type P = z.infer<typeof Params>;

export const rotatedSpace: InterventionType<P> = {
  name: 'RotatedSpaceIntervention',
  needsSource: true,
  slotKind: 'projected',
  trainable: true,
  params: Params as z.ZodType<P>,
  write: writeWholeSource,
  coordinates: (_p, features) => features,
  projection: (p, coords, features) => projectionFromColumns(toMatrix(p.rotation, features, features, 'rotation'), coords ?? range(features)),
  reference: (base, source, coords, p) => {
    const r = toMatrix(p.rotation, base.length, base.length, 'rotation');
    const w = new Float64Array(base.length);
    for (const c of coords ?? range(base.length)) w[c] = 1;
    return rotateSwapBack(base, source!, r, w);
  },
};
