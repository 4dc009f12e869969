// Version 4 of the shared experiment, frozen: the Generate view. Its settings travel in the link: the prompt, what
// intervenes (a steering vector, or the Interventions screen's document), where (intervene_on), and the sampler.
import { z } from 'zod';
import { ClassroomV1, SweepV1 } from './schema-v1';
import { ModelRefV2 } from './schema-v2';
import { TraceV3 } from './schema-v3';

const text = (max: number) => z.string().max(max);

/** A steering vector: mean(positive) − mean(negative) last-token activations, a token's embedding, or given. */
export const SteerV4 = z.object({
  kind: z.enum(['diff', 'token', 'vector']),
  positive: z.array(text(500)).max(16),
  negative: z.array(text(500)).max(16),
  token: text(200),
  vector: z.array(z.number().finite()).max(8192),
  layers: z.array(z.number().int().min(0).max(1023)).min(1).max(1024),
  component: text(64),
  coefficient: z.number().finite().min(-1000).max(1000),
}).strict();

export const GenerateV4 = z.object({
  prompt: text(2000),
  /** 'steer': the steering vector below; 'intervention': the Interventions screen's document, base = prompt. */
  use: z.enum(['steer', 'intervention']),
  steer: SteerV4,
  intervene_on: z.enum(['prompt', 'generated', 'both']),
  max_new_tokens: z.number().int().min(1).max(256),
  /** 0 = greedy. */
  temperature: z.number().finite().min(0).max(10),
  top_k: z.number().int().min(0).max(1_000_000),
  top_p: z.number().finite().gt(0).max(1),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  stop_at_eos: z.boolean(),
}).strict();

export const ExperimentV4 = z.object({
  v: z.literal(4),
  view: z.enum(['model', 'trace', 'intervene', 'sweep', 'generate', 'classroom']),
  model: ModelRefV2,
  trace: TraceV3,
  intervention: z.record(z.string(), z.unknown()),
  sweep: SweepV1,
  generate: GenerateV4,
  classroom: ClassroomV1,
}).strict();

export type ExperimentV4 = z.infer<typeof ExperimentV4>;
export type GenerateV4 = z.infer<typeof GenerateV4>;

/** Migration 3 → 4 (and the default): steer "John opened the letter and felt" with wonderful − terrible at layer 0. */
export function defaultGenerateV4(): GenerateV4 {
  return {
    prompt: 'John opened the letter and felt',
    use: 'steer',
    steer: {
      kind: 'diff', positive: ['The day was wonderful'], negative: ['The day was terrible'], token: '', vector: [],
      layers: [0], component: 'block_output', coefficient: 1,
    },
    intervene_on: 'both', max_new_tokens: 24, temperature: 0, top_k: 0, top_p: 1, seed: 0, stop_at_eos: true,
  };
}
