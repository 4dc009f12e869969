// AdditionIntervention: base + source (within the subspace); the source is an activation or a constant vector.
import { z } from 'zod';
import { forEachFeature, mapFeatures, type InterventionType } from './intervention-type.js';

export const addition: InterventionType = {
  name: 'AdditionIntervention',
  needsSource: true,
  slotKind: 'affine',
  trainable: false,
  params: z.object({}).passthrough(),
  write({ feeds, source, subspace }) {
    forEachFeature(feeds.delta.length, subspace, (i) => { feeds.delta[i]! += source![i]!; });
  },
  reference: (base, source, subspace) => mapFeatures(base, subspace, (i) => base[i]! + source![i]!),
};
