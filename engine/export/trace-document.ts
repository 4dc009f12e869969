// The trace document `patchbay export` takes for a causal trace: `patchbay trace`'s flags as JSON
// ({"kind": "trace", "model", "prompt", "subject", "noise", "noise_values" | "replace_with", …}), validated with JSON
// paths, and the TraceOptions Patchbay's own trace runs with (so an exported script and `causalTrace` read one
// document). Stage: plan.
import { z } from 'zod';
import { PatchbayError } from '../errors.js';
import { formatPath } from '../experiment/experiment-schema.js';
import type { TraceOptions } from '../experiments/causal-trace.js';

const Id = z.number().int().nonnegative();

export const TraceDocumentSchema = z.object({
  kind: z.literal('trace'),
  model: z.string().min(1).optional(),
  prompt: z.string().min(1).optional(),
  input_ids: z.array(Id).min(1).optional(),
  subject: z.string().min(1).optional(),
  subject_range: z.tuple([Id, Id]).optional(),
  answer: z.string().min(1).optional(),
  answer_id: Id.optional(),
  samples: z.number().int().positive().default(10),
  /** "sN" (N × the std of the subject's token embeddings), "uN" (uniform in [−N, N)) or a number. */
  noise: z.union([z.string().min(1).regex(/^(s|u)?\d*(\.\d+)?$/, 'expected "sN", "uN" or a number'), z.number().nonnegative()]).default('s3'),
  /** Explicit noise [samples][subject tokens][d_model] (what `patchbay trace --save-noise` writes). */
  noise_values: z.array(z.array(z.array(z.number()))).optional(),
  /** A file holding the explicit noise, relative to the document; `patchbay export` inlines it as noise_values. */
  noise_file: z.string().min(1).optional(),
  noise_subjects: z.array(z.string().min(1)).optional(),
  uniform: z.boolean().default(false),
  window: z.number().int().positive().default(10),
  kinds: z.array(z.enum(['resid', 'mlp', 'attn'])).min(1).default(['resid', 'mlp', 'attn']),
  seed: z.number().int().default(1),
  /** Symmetric token replacement instead of noise: the corrupted run reads this prompt (the same token length). */
  replace_with: z.string().min(1).optional(),
  /** The replacement prompt as token ids. */
  replace_ids: z.array(Id).min(1).optional(),
}).strict().superRefine((d, ctx) => {
  const one = (a: unknown, b: unknown, what: string, path: string) => {
    if ((a === undefined) === (b === undefined)) ctx.addIssue({ code: 'custom', path: [path], message: what });
  };
  one(d.prompt, d.input_ids, 'give the prompt as "prompt" (text) or "input_ids", exactly one', 'prompt');
  one(d.subject, d.subject_range, 'give the subject as "subject" (text) or "subject_range" ([begin, end)), exactly one', 'subject');
  if (d.answer !== undefined && d.answer_id !== undefined) ctx.addIssue({ code: 'custom', path: ['answer'], message: 'give "answer" or "answer_id", not both' });
  if (d.noise_values && d.noise_file) ctx.addIssue({ code: 'custom', path: ['noise_file'], message: 'give "noise_values" or "noise_file", not both' });
  if (d.replace_with !== undefined && d.replace_ids !== undefined) ctx.addIssue({ code: 'custom', path: ['replace_ids'], message: 'give "replace_with" or "replace_ids", not both' });
  const replaced = d.replace_with !== undefined ? 'replace_with' : d.replace_ids !== undefined ? 'replace_ids' : null;
  const noised = d.noise_values ? 'noise_values' : d.noise_file ? 'noise_file' : null;
  if (replaced && noised) ctx.addIssue({ code: 'custom', path: [replaced], message: `token replacement ("${replaced}") and explicit noise ("${noised}") exclude each other: give one` });
  if (d.subject_range && d.subject_range[0] >= d.subject_range[1]) ctx.addIssue({ code: 'custom', path: ['subject_range'], message: 'must be a non-empty range [begin, end)' });
});
export type TraceDocument = z.output<typeof TraceDocumentSchema>;

export function parseTraceDocument(json: unknown): TraceDocument {
  const r = TraceDocumentSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new PatchbayError('TRACE_INVALID', i.message, formatPath(i.path));
  }
  return r.data;
}

/** The options `causalTrace` runs this document with (noise_file must have been read into noise_values). */
export function traceDocumentOptions(d: TraceDocument): TraceOptions {
  const o: TraceOptions = { samples: d.samples, noise: d.noise, uniform: d.uniform, window: d.window, kinds: d.kinds, seed: d.seed };
  if (d.prompt !== undefined) o.prompt = d.prompt;
  if (d.input_ids) o.inputIds = d.input_ids;
  if (d.subject !== undefined) o.subject = d.subject;
  if (d.subject_range) o.subjectRange = d.subject_range;
  if (d.answer !== undefined) o.answerText = d.answer;
  if (d.answer_id !== undefined) o.answerId = d.answer_id;
  if (d.noise_values) o.noiseValues = d.noise_values;
  if (d.noise_subjects) o.noiseSubjects = d.noise_subjects;
  if (d.replace_with !== undefined) o.replaceWith = d.replace_with;
  if (d.replace_ids) o.replaceIds = d.replace_ids;
  return o;
}
