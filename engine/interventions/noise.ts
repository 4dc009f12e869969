// NoiseIntervention: base + noise_level · ε, with ε standard normal from the experiment's seed, or `noise` given
// explicitly: one vector for every location, or one row per location. pyvene's default noise_level is kept.
import { z } from 'zod';
import { forEachFeature, mapFeatures, type InterventionType } from './intervention-type.js';

const Params = z.object({
  noise_level: z.number().finite().default(0.13462981581687927),
  noise: z.union([z.array(z.number().finite()), z.array(z.array(z.number().finite()))]).optional(),
}).passthrough();
type NoiseParams = z.infer<typeof Params>;

function explicitNoise(p: NoiseParams, location: number): number[] | undefined {
  if (!p.noise) return undefined;
  return Array.isArray(p.noise[0]) ? (p.noise as number[][])[location] : (p.noise as number[]);
}

export const noise: InterventionType<NoiseParams> = {
  name: 'NoiseIntervention',
  needsSource: false,
  slotKind: 'affine',
  trainable: false,
  params: Params as z.ZodType<NoiseParams>,
  write({ feeds, subspace, params, gaussian, location }) {
    const explicit = explicitNoise(params, location);
    forEachFeature(feeds.delta.length, subspace, (i) => {
      feeds.delta[i]! += params.noise_level * (explicit ? explicit[i] ?? 0 : gaussian());
    });
  },
  reference: (base, _source, subspace, params, eps) =>
    mapFeatures(base, subspace, (i) => base[i]! + params.noise_level * (explicitNoise(params, 0)?.[i] ?? eps?.[i] ?? 0)),
};
