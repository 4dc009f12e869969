// SigmoidMaskRotatedSpaceIntervention: rotated coordinates mixed by m = σ(masks / temperature) (pyvene's defaults:
// masks 100 everywhere, temperature 50): x' = x + (s − x)·R·diag(m)·Rᵀ.
import { z } from 'zod';
import { MatrixParam, checkLength, toMatrix } from './params.js';
import { projectionFromColumns, range, sigmoid } from './basis.js';
import { rotateSwapBack } from './reference-math.js';
import { writeWholeSource, type InterventionType } from './intervention-type.js';

const Params = z.object({
  rotation: MatrixParam,
  masks: z.array(z.number().finite()).optional(),
  temperature: z.number().positive().default(50),
}).passthrough();
type P = z.infer<typeof Params>;

function mixing(p: P, features: number): number[] {
  const masks = p.masks ? checkLength(p.masks, features, 'masks') : new Array<number>(features).fill(100);
  return masks.map((m) => sigmoid(m / p.temperature));
}

export const sigmoidMaskRotatedSpace: InterventionType<P> = {
  name: 'SigmoidMaskRotatedSpaceIntervention',
  needsSource: true,
  slotKind: 'projected',
  trainable: true,
  params: Params as z.ZodType<P>,
  write: writeWholeSource,
  coordinates: (_p, features) => features,
  projection: (p, _coords, features) =>
    projectionFromColumns(toMatrix(p.rotation, features, features, 'rotation'), range(features), { weight: mixing(p, features) }),
  reference: (base, source, _coords, p) =>
    rotateSwapBack(base, source!, toMatrix(p.rotation, base.length, base.length, 'rotation'), mixing(p, base.length)),
};
