// SigmoidMaskRotatedSpaceIntervention: rotated coordinates mixed by m = σ(masks / temperature) (pyvene's defaults:
// masks 100 everywhere, temperature 50): x' = x + (s − x)·R·diag(m)·Rᵀ.
import { z } from 'zod';
import { checkLength } from './params.js';
import { range, sigmoid } from './basis.js';
import { defineRotationType, RotationParams } from './rotation-type.js';

const Params = RotationParams.extend({
  masks: z.array(z.number().finite()).optional(),
  temperature: z.number().positive().default(50),
});
type P = z.infer<typeof Params>;

export const sigmoidMaskRotatedSpace = defineRotationType('SigmoidMaskRotatedSpaceIntervention', Params as z.ZodType<P>, (p, _coords, features) => {
  const masks = p.masks ? checkLength(p.masks, features, 'masks') : new Array<number>(features).fill(100);
  return { cols: range(features), weight: masks.map((m) => sigmoid(m / p.temperature)) };
});
