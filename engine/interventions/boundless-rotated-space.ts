// BoundlessRotatedSpaceIntervention: rotated like RotatedSpace, but coordinate j is mixed by a soft boundary
// m_j = σ(j / T) · σ((b·F − j) / T), b = intervention_boundaries clamped to [1e-3, 1], T = temperature (pyvene's
// defaults 0.5 and 50): x' = x + (s − x)·R·diag(m)·Rᵀ. Subspaces do not apply (as in pyvene).
import { z } from 'zod';
import { range, sigmoid } from './basis.js';
import { defineRotationType, RotationParams } from './rotation-type.js';

const Params = RotationParams.extend({
  intervention_boundaries: z.number().finite().default(0.5),
  temperature: z.number().positive().default(50),
});
type P = z.infer<typeof Params>;

export function boundaryMask(p: P, features: number): number[] {
  const b = Math.min(1, Math.max(1e-3, p.intervention_boundaries)) * features;
  return range(features).map((j) => sigmoid(j / p.temperature) * sigmoid((b - j) / p.temperature));
}

export const boundlessRotatedSpace = defineRotationType('BoundlessRotatedSpaceIntervention', Params as z.ZodType<P>,
  (p, _coords, features) => ({ cols: range(features), weight: boundaryMask(p, features) }));
