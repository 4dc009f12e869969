// The experiment document for recurrent networks: pyvene's fields, with inputs as symbol sequences ("3 1 5 0",
// one-hot encoded), {"input_ids": [...]} (the same), or {"inputs": {"x": [[...]], "h0": [[[...]]]}} (raw features),
// components `block_output` (the layer's state) and `layer_output` (the GRU node's output Y only), unit `t`.
// Stage: plan (input side, recurrent networks).
import { z } from 'zod';
import { PatchbayError } from '../errors.js';
import { formatPath } from '../experiment/experiment-schema.js';

const Matrix = z.array(z.array(z.number().finite()).min(1)).min(1);

export const GruInputSchema = z.union([
  z.string().min(1, 'a sequence must not be empty'),
  z.object({ input_ids: z.array(z.number().int().nonnegative()).min(1) }).strict(),
  z.object({ inputs: z.object({ x: z.union([Matrix, z.array(Matrix).length(1)]), h0: z.array(Matrix).optional() }).strict() }).strict(),
]);
export type GruInput = z.infer<typeof GruInputSchema>;

export const GRU_COMPONENTS = ['block_output', 'layer_output'] as const;

export const GruRepresentationSchema = z.object({
  layer: z.number().int().nonnegative(),
  component: z.enum(GRU_COMPONENTS),
  unit: z.literal('t').default('t'),
  max_number_of_units: z.number().int().positive().default(1),
  intervention_type: z.string().default('VanillaIntervention'),
  source_representation: z.array(z.number().finite()).nullish(),
  params: z.record(z.string(), z.unknown()).optional(),
}).passthrough();

export const GruExperimentSchema = z.object({
  format: z.string().optional(),
  model: z.string().min(1).optional(),
  base: GruInputSchema,
  sources: z.array(GruInputSchema).default([]),
  config: z.object({
    mode: z.literal('parallel').default('parallel'),
    representations: z.array(GruRepresentationSchema).min(1, 'at least one representation is needed'),
  }).passthrough(),
  unit_locations: z.record(z.string(), z.unknown()),
  options: z.object({
    top_k: z.number().int().min(1).max(100).default(3),
    full_logits: z.boolean().default(false),
    seed: z.number().int().default(0),
  }).strict().default({ top_k: 3, full_logits: false, seed: 0 }),
}).strict();

export type GruExperiment = z.output<typeof GruExperimentSchema>;

export function parseGruExperiment(json: unknown): GruExperiment {
  const r = GruExperimentSchema.safeParse(json);
  if (r.success) return r.data;
  const first = r.error.issues[0]!;
  throw new PatchbayError('EXPERIMENT_INVALID', first.message, formatPath(first.path));
}

export interface GruTensors {
  /** [1, S, F] row-major. */
  x: Float32Array;
  steps: number;
  /** [L, 1, H], or null for zeros. */
  h0: Float32Array | null;
}

/** An input as the network's tensors: symbols one-hot over `features`, or raw features. */
export function gruTensors(input: GruInput, features: number, layers: number, hidden: number, path: string): GruTensors {
  if (typeof input === 'string' || 'input_ids' in input) {
    const ids = typeof input === 'string' ? symbols(input, path) : input.input_ids;
    const x = new Float32Array(ids.length * features);
    ids.forEach((id, t) => {
      if (id >= features) throw new PatchbayError('INPUT_INVALID', `symbol ${id} at step ${t} is out of range: the network reads ${features} (0–${features - 1})`, path);
      x[t * features + id] = 1;
    });
    return { x, steps: ids.length, h0: null };
  }
  const rows = (Array.isArray(input.inputs.x[0]![0]) ? (input.inputs.x as number[][][])[0]! : input.inputs.x as number[][]);
  if (rows.some((r) => r.length !== features)) throw new PatchbayError('SHAPE_MISMATCH', `every step of x needs ${features} features`, `${path}.inputs.x`);
  const h0 = input.inputs.h0;
  if (h0 && (h0.length !== layers || h0.some((l) => l.length !== 1 || l[0]!.length !== hidden))) {
    throw new PatchbayError('SHAPE_MISMATCH', `h0 must be [${layers}, 1, ${hidden}]`, `${path}.inputs.h0`);
  }
  return { x: Float32Array.from(rows.flat()), steps: rows.length, h0: h0 ? Float32Array.from(h0.flat(2)) : null };
}

function symbols(text: string, path: string): number[] {
  const parts = text.trim().split(/[\s,]+/);
  const ids = parts.map(Number);
  const bad = parts.findIndex((p, i) => !/^\d+$/.test(p) || !Number.isInteger(ids[i]));
  if (bad >= 0) throw new PatchbayError('INPUT_INVALID', `"${parts[bad]}" is not a symbol number: give symbols as "3 1 5 0"`, path);
  return ids;
}
