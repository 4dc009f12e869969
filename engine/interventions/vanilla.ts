// VanillaIntervention: interchange. The base's features are replaced by the source's (within the subspace).
import { z } from 'zod';
import { forEachFeature, mapFeatures, type InterventionType } from './intervention-type.js';

export const vanilla: InterventionType = {
  name: 'VanillaIntervention',
  needsSource: true,
  slotKind: 'affine',
  trainable: false,
  params: z.object({}).passthrough(),
  write({ feeds, source, subspace }) {
    forEachFeature(feeds.mask.length, subspace, (i) => { feeds.mask[i] = 1; feeds.source[i] = source![i]!; });
  },
  reference: (base, source, subspace) => mapFeatures(base, subspace, (i) => source![i]!),
};
