// Version 1 of the shared experiment (the URL fragment), frozen: links made with it must keep opening, so this file
// never changes; migrations.ts lifts it to the current version. The model is a reference string, as on the CLI.
import { z } from 'zod';

const text = (max: number) => z.string().max(max);

export const TraceV1 = z.object({
  prompt: text(2000),
  subject: text(500),
  answer: text(200).nullable(),
  samples: z.number().int().min(1).max(200),
  noise: z.number().finite().nonnegative().max(1000).nullable(),
  window: z.number().int().min(1).max(200),
  kinds: z.array(z.enum(['resid', 'mlp', 'attn'])).max(3),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  corruption: z.enum(['noise', 'replace']),
}).strict();

export const SweepV1 = z.object({
  base: text(2000),
  source: text(2000),
  component: text(64),
  metric: z.enum(['prob', 'logit_diff']),
  answer: text(200).nullable(),
}).strict();

export const ClassroomV1 = z.object({
  presentation: z.boolean(),
  explain: z.boolean(),
  hide: z.array(text(64)).max(64),
}).strict();

export const ExperimentV1 = z.object({
  v: z.literal(1),
  view: z.enum(['model', 'trace', 'intervene', 'sweep', 'classroom']),
  /** A bundled id, a Hugging Face repo id, or a URL; "" = none. */
  model: text(2000),
  trace: TraceV1,
  /** The pyvene-style experiment document, as JSON data (validated by the engine when used). */
  intervention: z.record(z.string(), z.unknown()),
  sweep: SweepV1,
  classroom: ClassroomV1,
}).strict();

export type ExperimentV1 = z.infer<typeof ExperimentV1>;
