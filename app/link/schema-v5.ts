// Version 5 of the shared experiment, frozen: the "Probe vs DAS" view (counterfactual pairs from a template and two
// name lists, a DAS grid beside linear probes) and the attribution-patching view; their settings travel in the link.
import { z } from 'zod';
import { ClassroomV1, SweepV1 } from './schema-v1';
import { ModelRefV2 } from './schema-v2';
import { TraceV3 } from './schema-v3';
import { GenerateV4 } from './schema-v4';

const text = (max: number) => z.string().max(max);
const layer = z.number().int().min(0).max(1023);
/** A base token index; negative counts from the end (−1 = the last token). */
const position = z.number().int().min(-1024).max(1023);

export const ProbeV5 = z.object({
  /** The prompt with NAME where a name goes, e.g. "NAME walked because". */
  template: text(500),
  /** Names whose label is `labels[0]` / `labels[1]`; both empty = the model's bundled name lists (its manifest). */
  names: z.tuple([z.array(text(64)).max(256), z.array(text(64)).max(256)]),
  /** The single-token labels of the two name lists, e.g. [" he", " she"]. */
  labels: z.tuple([text(64), text(64)]),
  /** At most this many counterfactual pairs are used (a seeded sample of all pairs of equal token length). */
  max_pairs: z.number().int().min(2).max(5000),
  component: text(64),
  /** Empty = every layer. */
  layers: z.array(layer).max(1024),
  positions: z.union([z.enum(['all', 'last']), z.array(position).min(1).max(64)]),
  intervention_type: z.enum(['LowRankRotatedSpaceIntervention', 'RotatedSpaceIntervention', 'BoundlessRotatedSpaceIntervention', 'SigmoidMaskIntervention']),
  rank: z.number().int().min(1).max(8192),
  steps: z.number().int().min(1).max(10_000),
  batch: z.number().int().min(1).max(256),
  lr: z.number().finite().gt(0).max(10),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  test_fraction: z.number().finite().min(0.05).max(0.9),
}).strict();

export const AttributionV5 = z.object({
  clean: text(2000),
  corrupt: text(2000),
  /** The answer token whose log-probability is scored; null = the clean run's top-1. */
  answer: text(200).nullable(),
  component: text(64),
}).strict();

export const ExperimentV5 = z.object({
  v: z.literal(5),
  view: z.enum(['model', 'trace', 'intervene', 'sweep', 'generate', 'probe', 'attribution', 'classroom']),
  model: ModelRefV2,
  trace: TraceV3,
  intervention: z.record(z.string(), z.unknown()),
  sweep: SweepV1,
  generate: GenerateV4,
  probe: ProbeV5,
  attribution: AttributionV5,
  classroom: ClassroomV1,
}).strict();

export type ExperimentV5 = z.infer<typeof ExperimentV5>;
export type ProbeV5 = z.infer<typeof ProbeV5>;
export type AttributionV5 = z.infer<typeof AttributionV5>;

/** Migration 4 → 5 (and the default): the pyvene paper's gender case study, sized to finish in well under a minute
 *  on the bundled Pythia-style model in the browser (the CLI's defaults are 100 steps over every pair). */
export function defaultProbeV5(): ProbeV5 {
  return {
    template: 'NAME walked because', names: [[], []], labels: [' he', ' she'], max_pairs: 160,
    component: 'block_output', layers: [], positions: 'all', intervention_type: 'LowRankRotatedSpaceIntervention',
    rank: 1, steps: 40, batch: 8, lr: 0.01, seed: 0, test_fraction: 0.2,
  };
}

/** Migration 4 → 5 (and the default): the attribution example of docs/das.md. */
export function defaultAttributionV5(): AttributionV5 {
  return { clean: 'Sarah walked because', corrupt: 'James walked because', answer: ' she', component: 'block_output' };
}
