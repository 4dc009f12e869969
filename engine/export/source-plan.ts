// Which source each intervention of a document reads, as the engine plans it (experiment/plan.ts), for the exporters:
// a serial hop i reads source i; with group keys, the i-th distinct key (ascending) reads source i; otherwise the
// n-th intervention that reads a source reads source n, and with one source all read it. Stage: results (export).
import { PatchbayError } from '../errors.js';
import type { ExperimentDoc } from '../experiment/experiment-schema.js';
import { sourceGroups } from '../experiment/plan.js';

type Rep = ExperimentDoc['config']['representations'][number];

/** The constant source of intervention i: its own source_representation, or the document's source_representations
 *  entry for its index or group key (as the engine reads them). */
export function constantOf(doc: ExperimentDoc, r: Rep, i: number): number[] | null {
  const byDoc = doc.source_representations?.[String(i)] ?? (r.group_key != null ? doc.source_representations?.[String(r.group_key)] : undefined);
  return r.source_representation ?? byDoc ?? null;
}

/** Whether intervention i reads a source run (not a collect, a zero or a constant source). */
export function readsSource(doc: ExperimentDoc, r: Rep, i: number): boolean {
  return r.intervention_type !== 'ZeroIntervention' && r.intervention_type !== 'CollectIntervention' && !constantOf(doc, r, i);
}

/** Per intervention, the index of the source it reads, or null when it reads none. */
export function sourceOfEach(doc: ExperimentDoc): (number | null)[] {
  const reps = doc.config.representations;
  const serial = doc.config.mode === 'serial';
  const groups = sourceGroups(reps);
  let readers = 0;
  return reps.map((r, i) => {
    if (!readsSource(doc, r, i)) return null;
    if (serial) return i;
    if (groups.size > 0) {
      if (r.group_key == null) {
        throw new PatchbayError('EXPERIMENT_INVALID', 'when any intervention has a group_key, every intervention that reads a source needs one (as in pyvene)', `config.representations[${i}].group_key`);
      }
      return groups.get(String(r.group_key))!;
    }
    const n = readers++;
    return doc.sources.length === 1 ? 0 : n;
  });
}
