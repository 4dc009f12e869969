// SkipIntervention: the site takes its module's input instead of its output, as if the module were skipped
// (block_output ← block_input, mlp_output ← mlp_input, attention_output ← attention_input). The input is wired
// in the graph (it is the same run's value), so upstream interventions are seen, as in pyvene.
import { z } from 'zod';
import { forEachFeature, mapFeatures, type InterventionType } from './intervention-type.js';
import type { Component } from '../sites/components.js';

export const SKIP_FROM: Partial<Record<Component, Component>> = {
  block_output: 'block_input',
  mlp_output: 'mlp_input',
  attention_output: 'attention_input',
};

export const skip: InterventionType = {
  name: 'SkipIntervention',
  needsSource: false,
  slotKind: 'skip',
  trainable: false,
  params: z.object({}).passthrough(),
  // feeds.mask is the skip mask here
  write({ feeds, subspace }) {
    forEachFeature(feeds.mask.length, subspace, (i) => { feeds.mask[i] = 1; });
  },
  /** `source` is the module's input at the location. */
  reference: (base, source, subspace) => mapFeatures(base, subspace, (i) => source![i]!),
};
