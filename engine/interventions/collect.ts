// CollectIntervention: reads the base's value at the location and changes nothing.
import { z } from 'zod';
import type { InterventionType } from './intervention-type.js';

export const collect: InterventionType = {
  name: 'CollectIntervention',
  needsSource: false,
  slotKind: 'collect',
  trainable: false,
  params: z.object({}).passthrough(),
  write() {},
  reference: (base) => Float32Array.from(base),
};
