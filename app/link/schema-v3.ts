// Version 3 of the shared experiment, frozen: the trace gains `replacement`, the text that replaces the subject
// when the corruption is token replacement (the engine needs a corrupted prompt of the same token length).
import { z } from 'zod';
import { ClassroomV1, SweepV1, TraceV1 } from './schema-v1';
import { ModelRefV2 } from './schema-v2';

export const TraceV3 = TraceV1.extend({ replacement: z.string().max(500) }).strict();

export const ExperimentV3 = z.object({
  v: z.literal(3),
  view: z.enum(['model', 'trace', 'intervene', 'sweep', 'classroom']),
  model: ModelRefV2,
  trace: TraceV3,
  intervention: z.record(z.string(), z.unknown()),
  sweep: SweepV1,
  classroom: ClassroomV1,
}).strict();

export type ExperimentV3 = z.infer<typeof ExperimentV3>;

/** Migration 2 → 3: no replacement text yet (token replacement then asks for one). */
export function traceFromV2(trace: Record<string, unknown>): Record<string, unknown> {
  return { ...trace, replacement: '' };
}
