// SubtractionIntervention: base − source (within the subspace).
import { z } from 'zod';
import { forEachFeature, mapFeatures, type InterventionType } from './intervention-type.js';

export const subtraction: InterventionType = {
  name: 'SubtractionIntervention',
  needsSource: true,
  slotKind: 'affine',
  trainable: false,
  params: z.object({}).passthrough(),
  write({ feeds, source, subspace }) {
    forEachFeature(feeds.delta.length, subspace, (i) => { feeds.delta[i]! -= source![i]!; });
  },
  reference: (base, source, subspace) => mapFeatures(base, subspace, (i) => base[i]! - source![i]!),
};
