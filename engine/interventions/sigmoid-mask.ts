// SigmoidMaskIntervention: each feature mixed by m = σ(masks / temperature) without rotation:
// x' = (1 − m)·x + m·s, a fractional interchange (the affine slot's mask carries m).
import { z } from 'zod';
import { checkLength } from './params.js';
import { forEachFeature, mapFeatures, type InterventionType } from './intervention-type.js';
import { sigmoid } from './basis.js';

const Params = z.object({
  masks: z.array(z.number().finite()).optional(),
  temperature: z.number().positive().default(50),
}).passthrough();
type P = z.infer<typeof Params>;

const mix = (p: P, features: number, i: number) =>
  sigmoid((p.masks ? checkLength(p.masks, features, 'masks')[i]! : 100) / p.temperature);

export const sigmoidMask: InterventionType<P> = {
  name: 'SigmoidMaskIntervention',
  needsSource: true,
  slotKind: 'affine',
  trainable: true,
  params: Params as z.ZodType<P>,
  write({ feeds, source, subspace, params }) {
    const F = feeds.mask.length;
    forEachFeature(F, subspace, (i) => { feeds.mask[i] = mix(params, F, i); feeds.source[i] = source![i]!; });
  },
  reference: (base, source, subspace, p) =>
    mapFeatures(base, subspace, (i) => { const m = mix(p, base.length, i); return (1 - m) * base[i]! + m * source![i]!; }),
};
