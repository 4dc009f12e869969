// Version 2 of the shared experiment, frozen: the model becomes a structured reference (kind, variant, hub
// endpoint) so a link can say "the quantized files" or "this hub mirror". Everything else is as in version 1.
import { z } from 'zod';
import { ClassroomV1, SweepV1, TraceV1 } from './schema-v1';

const httpUrl = z.string().max(2000).regex(/^https?:\/\/[^\s]+$/i, 'only http(s) URLs').pipe(z.url());

export const ModelRefV2 = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }).strict(),
  z.object({ kind: z.literal('bundled'), id: z.string().min(1).max(200) }).strict(),
  z.object({
    kind: z.literal('hub'),
    repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'a Hugging Face repo id looks like "owner/name"'),
    variant: z.enum(['fp32', 'quantized']),
    /** A hub mirror with the same URL layout; null = https://huggingface.co. */
    endpoint: httpUrl.nullable(),
  }).strict(),
  z.object({ kind: z.literal('url'), url: httpUrl, variant: z.enum(['fp32', 'quantized']) }).strict(),
  /** Files the user picked: a link can only name them; the reader picks them again. */
  z.object({ kind: z.literal('local'), name: z.string().max(500) }).strict(),
]);

export const ExperimentV2 = z.object({
  v: z.literal(2),
  view: z.enum(['model', 'trace', 'intervene', 'sweep', 'classroom']),
  model: ModelRefV2,
  trace: TraceV1,
  intervention: z.record(z.string(), z.unknown()),
  sweep: SweepV1,
  classroom: ClassroomV1,
}).strict();

export type ModelRefV2 = z.infer<typeof ModelRefV2>;
export type ExperimentV2 = z.infer<typeof ExperimentV2>;

/** Migration 1 → 2: the v1 reference string, read the way the CLI reads it. */
export function modelRefFromV1(ref: string): ModelRefV2 {
  const r = ref.trim();
  if (!r) return { kind: 'none' };
  if (/^https?:\/\//i.test(r)) return { kind: 'url', url: r.replace(/\/+$/, ''), variant: 'fp32' };
  if (/^[\w.-]+\/[\w.-]+$/.test(r)) return { kind: 'hub', repo: r, variant: 'fp32', endpoint: null };
  if (/^[\w.-]+$/.test(r)) return { kind: 'bundled', id: r };
  return { kind: 'local', name: r.split(/[\\/]/).pop() ?? r };
}
