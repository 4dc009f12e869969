// BoundlessRotatedSpaceIntervention: rotated like RotatedSpace, but coordinate j is mixed by a soft boundary
// m_j = σ(j / T) · σ((b·F − j) / T), b = intervention_boundaries clamped to [1e-3, 1], T = temperature (pyvene's
// defaults 0.5 and 50): x' = x + (s − x)·R·diag(m)·Rᵀ. Subspaces do not apply (as in pyvene).
import { z } from 'zod';
import { MatrixParam, toMatrix } from './params.js';
import { projectionFromColumns, range, sigmoid } from './basis.js';
import { rotateSwapBack } from './reference-math.js';
import { writeWholeSource, type InterventionType } from './intervention-type.js';

const Params = z.object({
  rotation: MatrixParam,
  intervention_boundaries: z.number().finite().default(0.5),
  temperature: z.number().positive().default(50),
}).passthrough();
type P = z.infer<typeof Params>;

export function boundaryMask(p: P, features: number): number[] {
  const b = Math.min(1, Math.max(1e-3, p.intervention_boundaries)) * features;
  return range(features).map((j) => sigmoid(j / p.temperature) * sigmoid((b - j) / p.temperature));
}

export const boundlessRotatedSpace: InterventionType<P> = {
  name: 'BoundlessRotatedSpaceIntervention',
  needsSource: true,
  slotKind: 'projected',
  trainable: true,
  params: Params as z.ZodType<P>,
  write: writeWholeSource,
  coordinates: (_p, features) => features,
  projection: (p, _coords, features) =>
    projectionFromColumns(toMatrix(p.rotation, features, features, 'rotation'), range(features), { weight: boundaryMask(p, features) }),
  reference: (base, source, _coords, p) =>
    rotateSwapBack(base, source!, toMatrix(p.rotation, base.length, base.length, 'rotation'), boundaryMask(p, base.length)),
};
