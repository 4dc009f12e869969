// The shared experiment as it is today: its type, its schema (the newest version), and its defaults, declared
// once. Every field here is what a link carries; nothing else about the app goes into the URL.
import { ExperimentV2, type ExperimentV2 as ExperimentV2Type, type ModelRefV2 } from './schema-v2';

export const CURRENT_VERSION = 2;
export const ExperimentSchema = ExperimentV2;
export type Experiment = ExperimentV2Type;
export type ModelRef = ModelRefV2;
export type View = Experiment['view'];
export type TraceSettings = Experiment['trace'];
export type SweepSettings = Experiment['sweep'];
export type ClassroomSettings = Experiment['classroom'];

export const DEFAULT_PROMPT = 'The Eiffel Tower is located in the city of';
/** A source of the same token length in the bundled GPT-2 facts model (its first patching preset). */
export const DEFAULT_SOURCE = 'Buckingham Palace is located in the city of';

export function defaultExperiment(): Experiment {
  return {
    v: 2,
    view: 'model',
    model: { kind: 'none' },
    trace: {
      prompt: DEFAULT_PROMPT, subject: 'Eiffel Tower', answer: null, samples: 10, noise: null, window: 10,
      kinds: ['resid', 'mlp', 'attn'], seed: 1, corruption: 'noise',
    },
    intervention: {
      base: DEFAULT_PROMPT,
      sources: [DEFAULT_SOURCE],
      config: { mode: 'parallel', representations: [{ layer: 0, component: 'block_output', unit: 'pos', intervention_type: 'VanillaIntervention', group_key: 0 }] },
      unit_locations: { 'sources->base': [[[[6]]], [[[6]]]] },
    },
    sweep: { base: DEFAULT_PROMPT, source: DEFAULT_SOURCE, component: 'block_output', metric: 'prob', answer: null },
    classroom: { presentation: false, explain: true, hide: [] },
  };
}
