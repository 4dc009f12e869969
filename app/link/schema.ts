// The shared experiment as it is today: its type, its schema (the newest version), and its defaults, declared
// once. Every field here is what a link carries; nothing else about the app goes into the URL.
import type { ModelRefV2 } from './schema-v2';
import { defaultGenerateV4 } from './schema-v4';
import { ExperimentV5, defaultAttributionV5, defaultProbeV5, type ExperimentV5 as ExperimentV5Type } from './schema-v5';

export const CURRENT_VERSION = 5;
export const ExperimentSchema = ExperimentV5;
export type Experiment = ExperimentV5Type;
export type ModelRef = ModelRefV2;
export type View = Experiment['view'];
export type TraceSettings = Experiment['trace'];
export type SweepSettings = Experiment['sweep'];
export type GenerateSettings = Experiment['generate'];
export type ProbeSettings = Experiment['probe'];
export type AttributionSettings = Experiment['attribution'];
export type ClassroomSettings = Experiment['classroom'];

export const DEFAULT_PROMPT = 'The Eiffel Tower is located in the city of';
/** A source of the same token length in the bundled GPT-2 facts model (its first patching preset). */
export const DEFAULT_SOURCE = 'Buckingham Palace is located in the city of';

export function defaultExperiment(): Experiment {
  return {
    v: 5,
    view: 'model',
    model: { kind: 'none' },
    trace: {
      prompt: DEFAULT_PROMPT, subject: 'Eiffel Tower', answer: null, samples: 10, noise: null, window: 10,
      kinds: ['resid', 'mlp', 'attn'], seed: 1, corruption: 'noise', replacement: '',
    },
    intervention: {
      base: DEFAULT_PROMPT,
      sources: [DEFAULT_SOURCE],
      config: { mode: 'parallel', representations: [{ layer: 0, component: 'block_output', unit: 'pos', intervention_type: 'VanillaIntervention', group_key: 0 }] },
      unit_locations: { 'sources->base': [[[[6]]], [[[6]]]] },
    },
    sweep: { base: DEFAULT_PROMPT, source: DEFAULT_SOURCE, component: 'block_output', metric: 'prob', answer: null },
    generate: defaultGenerateV4(),
    probe: defaultProbeV5(),
    attribution: defaultAttributionV5(),
    classroom: { presentation: false, explain: true, hide: [] },
  };
}
