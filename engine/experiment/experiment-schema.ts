// The experiment document: one shareable JSON describing a pyvene-style intervention experiment. Field names are
// pyvene's (snake_case); validated by zod, and every error names its JSON path. Stage: plan (input side).
import { z } from 'zod';

export const EXPERIMENT_FORMAT = 'patchbay.experiment/1';

export const TokenInputSchema = z.union([
  z.string().min(1, 'a prompt must not be empty'),
  z.object({ input_ids: z.array(z.number().int().nonnegative()).min(1, 'input_ids must not be empty') }).strict(),
]);
export type TokenInput = z.infer<typeof TokenInputSchema>;
/** One input, or a batch of inputs with the same number of tokens (pyvene's batched examples). */
export const BatchInputSchema = z.union([TokenInputSchema, z.array(TokenInputSchema).min(1, 'a batch needs at least one input')]);
export type BatchInput = z.infer<typeof BatchInputSchema>;

const Key = z.union([z.string(), z.number().int()]);

export const RepresentationSchema = z.object({
  layer: z.number().int().nonnegative(),
  component: z.string(),
  unit: z.enum(['pos', 'h', 'h.pos']).default('pos'),
  max_number_of_units: z.number().int().positive().default(1),
  intervention_type: z.string().default('VanillaIntervention'),
  low_rank_dimension: z.number().int().positive().nullish(),
  subspace_partition: z.array(z.array(z.number().int().nonnegative())).nullish(),
  group_key: Key.nullish(),
  intervention_link_key: Key.nullish(),
  /** A constant source for this intervention (pyvene's source_representation), one value per feature. */
  source_representation: z.array(z.number().finite()).nullish(),
  /** Parameters of the intervention type (e.g. NoiseIntervention's noise_level). */
  params: z.record(z.string(), z.unknown()).optional(),
}).passthrough();
export type Representation = z.infer<typeof RepresentationSchema>;

export const ExperimentSchema = z.object({
  format: z.literal(EXPERIMENT_FORMAT).default(EXPERIMENT_FORMAT),
  model: z.string().min(1).optional(),
  base: BatchInputSchema,
  sources: z.array(BatchInputSchema).default([]),
  config: z.object({
    mode: z.enum(['parallel', 'serial']).default('parallel'),
    representations: z.array(RepresentationSchema).min(1, 'at least one representation is needed'),
  }).passthrough(),
  unit_locations: z.record(z.string(), z.unknown()).nullish(),
  /** Per intervention: feature indices (or per batch row: a list of them, pyvene's nesting). */
  subspaces: z.array(z.unknown()).nullish(),
  /** Constant sources by intervention index or group key (alternative to source_representation). */
  source_representations: z.record(z.string(), z.array(z.number().finite())).nullish(),
  options: z.object({
    top_k: z.number().int().min(1).max(100).default(10),
    full_logits: z.boolean().default(false),
    seed: z.number().int().default(0),
  }).strict().default({ top_k: 10, full_logits: false, seed: 0 }),
}).strict();

export type ExperimentDoc = z.output<typeof ExperimentSchema>;
export type ExperimentInput = z.input<typeof ExperimentSchema>;

export interface ValidationIssue {
  path: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: ValidationIssue[] };

/** Validates a parsed JSON value; never throws. */
export function validateExperiment(json: unknown): Validated<ExperimentDoc> {
  const r = ExperimentSchema.safeParse(json);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, errors: r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) };
}

export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s || '(document)';
}
