// Migrations between versions of the shared experiment, tldraw-style: migration N lifts version N to N + 1, and
// ids rise by one with no gaps. Each old version's schema stays in its own frozen file (schema-vN.ts), and each has
// fixture links in fixtures/ that the tests open. Adding a version = a schema file, one entry here, new fixtures.
import type { z } from 'zod';
import { ExperimentV1 } from './schema-v1';
import { ExperimentV2, modelRefFromV1 } from './schema-v2';
import { ExperimentV3, traceFromV2 } from './schema-v3';
import { ExperimentV4, defaultGenerateV4 } from './schema-v4';
import { ExperimentV5, defaultAttributionV5, defaultProbeV5 } from './schema-v5';
import { CURRENT_VERSION, type Experiment } from './schema';

/** The schema of every version that links may still carry, by version number. */
export const SCHEMAS: Record<number, z.ZodType> = {
  1: ExperimentV1,
  2: ExperimentV2,
  3: ExperimentV3,
  4: ExperimentV4,
  5: ExperimentV5,
};

/** MIGRATIONS[n] turns a valid version-n document into a version n + 1 document. */
export const MIGRATIONS: Record<number, (doc: Record<string, unknown>) => Record<string, unknown>> = {
  1: (doc) => ({ ...doc, v: 2, model: modelRefFromV1(doc.model as string) }),
  2: (doc) => ({ ...doc, v: 3, trace: traceFromV2(doc.trace as Record<string, unknown>) }),
  3: (doc) => ({ ...doc, v: 4, generate: defaultGenerateV4() }),
  4: (doc) => ({ ...doc, v: 5, probe: defaultProbeV5(), attribution: defaultAttributionV5() }),
};

export type MigrateResult = { ok: true; value: Experiment } | { ok: false; message: string };

/** Validates a document of any known version and lifts it to the current one. Never throws. */
export function migrate(doc: Record<string, unknown>): MigrateResult {
  const v = doc.v;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return { ok: false, message: 'it has no version number' };
  if (v > CURRENT_VERSION) {
    return { ok: false, message: `it was made by a newer Patchbay (format ${v}; this one reads up to ${CURRENT_VERSION}): reload the page to update` };
  }
  let current: Record<string, unknown> = doc;
  for (let n = v; n <= CURRENT_VERSION; n++) {
    const parsed = SCHEMAS[n]!.safeParse(current);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return { ok: false, message: `field "${issue.path.join('.') || '(root)'}" is invalid: ${issue.message}` };
    }
    current = parsed.data as Record<string, unknown>;
    if (n < CURRENT_VERSION) current = MIGRATIONS[n]!(current);
  }
  return { ok: true, value: current as Experiment };
}
