// A patching sweep as options and as a document (`patchbay sweep SWEEP.json`, `patchbay export`): plain data and
// its validation, apart from the runner (sweep.ts) so that the exporters and the page import no runtime.
import { PatchbayError } from '../errors.js';

export type SweepMetric = 'prob' | 'logit_diff';

export interface SweepOptions {
  base: string;
  source: string;
  component: string;
  metric: SweepMetric;
  /** The token whose probability is scored; default: the source's clean top-1. */
  answer?: string | null;
}

export const SWEEP_METRICS: readonly SweepMetric[] = ['prob', 'logit_diff'];

/** A sweep as a document (`patchbay sweep SWEEP.json`, `patchbay export`): {"kind": "sweep", "model", "base",
 *  "source", "component" (default block_output), "metric" (default prob), "answer" (optional)}. */
export interface SweepDocument extends SweepOptions { kind: 'sweep'; model?: string }

export function parseSweepDocument(raw: unknown): SweepDocument {
  const o = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : null) as Record<string, unknown> | null;
  if (!o || o.kind !== 'sweep') throw new PatchbayError('EXPERIMENT_INVALID', 'a sweep document is an object with "kind": "sweep"', 'kind');
  const text = (key: string, fallback?: string): string => {
    const v = o[key] ?? fallback;
    if (typeof v !== 'string') throw new PatchbayError('EXPERIMENT_INVALID', `"${key}" must be a string`, key);
    return v;
  };
  const metric = text('metric', 'prob') as SweepMetric;
  if (!SWEEP_METRICS.includes(metric)) throw new PatchbayError('EXPERIMENT_INVALID', `metric must be prob or logit_diff; got "${metric}"`, 'metric');
  const doc: SweepDocument = { kind: 'sweep', base: text('base'), source: text('source'), component: text('component', 'block_output'), metric };
  if (o.model != null) doc.model = text('model');
  if (o.answer != null) doc.answer = text('answer');
  return doc;
}
