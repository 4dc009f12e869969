// Chooses the exporter for a document (run or sweep) and a target engine (pyvene or nnsight). Stage: results (export).
import { PatchbayError } from '../errors.js';
import { validateExperiment } from '../experiment/experiment-schema.js';
import { parseSweepDocument } from '../experiments/sweep.js';
import { exportPyveneRun, exportPyveneSweep, type ExportOptions } from './pyvene.js';
import { exportNnsightRun, exportNnsightSweep } from './nnsight.js';

export type ExportTarget = 'pyvene' | 'nnsight';

/** The script text for a parsed JSON document; documents are validated as `patchbay run` / `sweep` validate them. */
export function exportScript(json: unknown, target: ExportTarget, opts: ExportOptions = {}): string {
  if ((json as { kind?: unknown } | null)?.kind === 'sweep') {
    const doc = parseSweepDocument(json);
    return target === 'pyvene' ? exportPyveneSweep(doc, opts) : exportNnsightSweep(doc, opts);
  }
  const v = validateExperiment(json);
  if (!v.ok) throw new PatchbayError('EXPERIMENT_INVALID', `${v.errors[0]!.path}: ${v.errors[0]!.message}`);
  return target === 'pyvene' ? exportPyveneRun(v.value, opts) : exportNnsightRun(v.value, opts);
}
