// ZeroIntervention: the chosen features are set to zero (ablation). Needs no source.
import { z } from 'zod';
import { forEachFeature, mapFeatures, type InterventionType } from './intervention-type.js';

export const zero: InterventionType = {
  name: 'ZeroIntervention',
  needsSource: false,
  slotKind: 'affine',
  trainable: false,
  params: z.object({}).passthrough(),
  write({ feeds, subspace }) {
    forEachFeature(feeds.mask.length, subspace, (i) => { feeds.mask[i] = 1; feeds.source[i] = 0; });
  },
  reference: (base, _source, subspace) => mapFeatures(base, subspace, () => 0),
};
