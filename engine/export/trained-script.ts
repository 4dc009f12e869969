// `patchbay export --to pyvene` for a trained DAS intervention (`patchbay das --save-dir`: JSON + float32 side file,
// training/trained-io.ts) applied to a base and a source, or evaluated on pairs: {"kind": "trained", "trained":
// "L2.block_output.pos-1.json", "base", "source" | "pairs", "model"?, "options"?}. The script loads the rotation into
// pyvene's own intervention (LowRankRotatedSpaceIntervention, RotatedSpace, Boundless, SigmoidMask) at the trained
// (layer, position) and writes the run result JSON (with pairs: each pair's intervened top-1 and the IIA). The host
// reads the files; the engine gets them as bytes. Stage: results (export).
import { z } from 'zod';
import { PatchbayError } from '../errors.js';
import { formatPath, validateExperiment, type ExperimentDoc } from '../experiment/experiment-schema.js';
import { loadTrained, toRepresentation } from '../training/trained-io.js';
import { py } from './pyvene-pieces.js';
import { exportPyveneRun, type ExportOptions } from './pyvene.js';
import { pairsEvaluation, trainedScript } from './script-common.js';

export const TrainedDocumentSchema = z.object({
  kind: z.literal('trained'),
  /** The trained intervention's JSON: its file name (the CLI reads it) or the document itself. */
  trained: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  model: z.string().min(1).optional(),
  base: z.string().min(1).optional(),
  source: z.string().min(1).optional(),
  /** Counterfactual pairs to evaluate on (IIA: the intervened top-1 is the source label), as `patchbay das --pairs`
   *  reads them; a file name is read by the CLI. */
  pairs: z.union([z.string().min(1), z.array(z.object({
    base: z.string().min(1), source: z.string().min(1), base_label: z.string().optional(), source_label: z.string().min(1),
  }).passthrough()).min(1)]).optional(),
  options: z.object({ top_k: z.number().int().min(1).max(100).optional(), full_logits: z.boolean().optional() }).strict().optional(),
}).strict().superRefine((d, ctx) => {
  if (d.pairs === undefined && (d.base === undefined || d.source === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['base'], message: 'give "base" and "source", or "pairs"' });
  }
});
export type TrainedDocument = z.output<typeof TrainedDocumentSchema>;

export function parseTrainedDocument(json: unknown): TrainedDocument {
  const r = TrainedDocumentSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new PatchbayError('TRAINING_INVALID', i.message, formatPath(i.path));
  }
  return r.data;
}

/** The run document that applies the trained intervention at `position` (resolved: ≥ 0) in base and source. */
export function trainedRunDocument(doc: TrainedDocument, files: Record<string, Uint8Array>, basePos?: number, sourcePos?: number): ExperimentDoc {
  if (typeof doc.trained === 'string') throw new PatchbayError('TRAINING_INVALID', `read ${doc.trained} first (patchbay export does it)`, 'trained');
  const cell = loadTrained(doc.trained, files);
  const model = doc.model ?? (typeof doc.trained.model === 'string' ? doc.trained.model : undefined);
  const pos = (p: number | undefined) => p ?? Math.max(cell.position, 0);
  if (typeof doc.pairs === 'string') throw new PatchbayError('TRAINING_INVALID', `read ${doc.pairs} first (patchbay export does it)`, 'pairs');
  const first = doc.pairs?.[0];
  const v = validateExperiment({
    ...(model ? { model } : {}), base: doc.base ?? first!.base, sources: [doc.source ?? first!.source], config: { representations: [toRepresentation(cell)] },
    unit_locations: { 'sources->base': [[[[pos(sourcePos)]]], [[[pos(basePos)]]]] }, options: doc.options ?? {},
  });
  if (!v.ok) throw new PatchbayError('TRAINING_INVALID', `${v.errors[0]!.path}: ${v.errors[0]!.message}`);
  return v.value;
}

/** The pyvene script; a negative trained position (from the end) is resolved against each input's tokens. */
export function exportTrained(json: unknown, opts: ExportOptions & { files?: Record<string, Uint8Array> } = {}): string {
  const doc = parseTrainedDocument(json);
  const run = trainedRunDocument(doc, opts.files ?? {});
  const position = (doc.trained as { position?: number }).position ?? 0;
  let script = exportPyveneRun(run, opts);
  const fixed = `unit_locations = ${'{"sources->base": ([[[' + Math.max(position, 0) + ']]], [[[' + Math.max(position, 0) + ']]])}'}`;
  if (!script.includes(fixed)) throw new Error('trained export: the run script changed its unit_locations line');
  script = script.replace(fixed, [
    `POSITION = ${py(position)}  # the trained position (negative: from the end of each input)`,
    'def locate(x):',
    '    return POSITION if POSITION >= 0 else x["input_ids"].shape[1] + POSITION',
    'unit_locations = {"sources->base": ([[[locate(sources[0])]]], [[[locate(base)]]])}',
  ].join('\n'));
  return trainedScript(script, 'pyvene', doc.pairs as unknown[] | undefined, PAIRS);
}

/** The pairs evaluation (script-common.ts), each pair intervened through this engine. */
const PAIRS = pairsEvaluation([
  '        b = on_device(tokenizer(p["base"], return_tensors="pt"))',
  '        s = on_device(tokenizer(p["source"], return_tensors="pt"))',
  '        _, o = intervenable(b, [s], unit_locations={"sources->base": ([[[locate(s)]]], [[[locate(b)]]])})',
  '        logits = o.logits[0, -1].float().cpu()',
]);
