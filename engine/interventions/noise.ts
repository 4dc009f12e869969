// NoiseIntervention: base + noise_level · ε, with ε standard normal from the experiment's seed, or `noise` given
// explicitly (one vector, used at every location). pyvene's default noise_level is kept.
import { z } from 'zod';
import { forEachFeature, mapFeatures, type InterventionType } from './intervention-type.js';

const Params = z.object({
  noise_level: z.number().finite().default(0.13462981581687927),
  noise: z.array(z.number().finite()).optional(),
}).passthrough();
type NoiseParams = z.infer<typeof Params>;

export const noise: InterventionType<NoiseParams> = {
  name: 'NoiseIntervention',
  needsSource: false,
  slotKind: 'affine',
  trainable: false,
  params: Params as z.ZodType<NoiseParams>,
  write({ feeds, subspace, params, gaussian }) {
    forEachFeature(feeds.delta.length, subspace, (i) => {
      const eps = params.noise ? params.noise[i] ?? 0 : gaussian();
      feeds.delta[i]! += params.noise_level * eps;
    });
  },
  reference: (base, _source, subspace, params, eps) =>
    mapFeatures(base, subspace, (i) => base[i]! + params.noise_level * (params.noise?.[i] ?? eps?.[i] ?? 0)),
};
