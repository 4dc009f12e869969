// Chooses the exporter for a document (run, sweep, trace, generate or trained) and a target engine (pyvene or nnsight). Stage: results (export).
import { PatchbayError } from '../errors.js';
import { validateExperiment } from '../experiment/experiment-schema.js';
import { parseSweepDocument } from '../experiments/sweep-document.js';
import { exportPyveneRun, exportPyveneSweep, type ExportOptions } from './pyvene.js';
import { exportNnsightRun, exportNnsightSweep, exportNnsightTrained } from './nnsight.js';
import { parseTraceDocument } from './trace-document.js';
import { exportTrace } from './trace-script.js';
import { exportGenerate, parseGenerateDocument } from './generate-script.js';
import { exportGenerateExperiment } from './generate-experiment.js';
import { exportTrained } from './trained-script.js';

export type ExportTarget = 'pyvene' | 'nnsight';

/** The script text for a parsed JSON document; documents are validated as `patchbay run` / `sweep` validate them.
 *  `files`: side files a trained intervention names (read by the host). */
export function exportScript(json: unknown, target: ExportTarget, opts: ExportOptions & { files?: Record<string, Uint8Array> } = {}): string {
  const kind = (json as { kind?: unknown } | null)?.kind;
  if (kind === 'trained') {
    return target === 'pyvene' ? exportTrained(json, opts) : exportNnsightTrained(json, opts);
  }
  if (kind === 'trace') {
    const doc = parseTraceDocument(json);
    if (doc.noise_file) throw new PatchbayError('TRACE_INVALID', `read ${doc.noise_file} into "noise_values" first (patchbay export does it)`, 'noise_file');
    return exportTrace(doc, target, opts);
  }
  if (kind === 'generate') {
    const doc = parseGenerateDocument(json);
    return doc.experiment ? exportGenerateExperiment(doc, target, opts) : exportGenerate(doc, target, opts);
  }
  if (kind === 'sweep') {
    const doc = parseSweepDocument(json);
    return target === 'pyvene' ? exportPyveneSweep(doc, opts) : exportNnsightSweep(doc, opts);
  }
  const v = validateExperiment(json);
  if (!v.ok) throw new PatchbayError('EXPERIMENT_INVALID', `${v.errors[0]!.path}: ${v.errors[0]!.message}`);
  return target === 'pyvene' ? exportPyveneRun(v.value, opts) : exportNnsightRun(v.value, opts);
}
