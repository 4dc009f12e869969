// The patching sweep: patch the source run's activation into the base run at every (layer, position) of one
// component and score each cell. One batched runExperiment per layer (a row per position). Stage: experiments.
// Used by `patchbay sweep`, the app's worker and the exported Python scripts' result format (sweepToJson).
import type { LoadedModel } from '../load/load-model.js';
import { runExperiment } from '../experiment/run-experiment.js';
import { validateExperiment } from '../experiment/experiment-schema.js';
import { PatchbayError, throwIfAborted } from '../errors.js';
import { softmax } from '../experiment/top-k.js';
import { SWEEP_METRICS, type SweepMetric, type SweepOptions } from './sweep-document.js';

export { parseSweepDocument, SWEEP_METRICS, type SweepDocument, type SweepMetric, type SweepOptions } from './sweep-document.js';

export interface SweepProgress { done: number; total: number }

export interface SweepResult {
  tokens: string[];
  layers: number;
  component: string;
  metric: SweepMetric;
  /** The scored token (source answer) and, for logit_diff, the base's clean top-1 it is compared with. */
  answer: { id: number; text: string };
  baseAnswer: { id: number; text: string };
  /** The metric with nothing patched (base) and on the clean source run. */
  low: number;
  high: number;
  /** values[position][layer]. */
  values: number[][];
}

export interface SweepIo { onProgress?: (p: SweepProgress) => void; signal?: AbortSignal }

export async function patchingSweep(model: LoadedModel, opts: SweepOptions, io: SweepIo = {}): Promise<SweepResult> {
  const tok = model.tokenizer;
  if (!tok) throw new PatchbayError('TOKENIZER_MISSING', 'this model has no tokenizer.json: the sweep needs text prompts');
  if (!SWEEP_METRICS.includes(opts.metric)) throw new PatchbayError('INPUT_INVALID', `metric must be prob or logit_diff; got "${String(opts.metric)}"`, 'sweep.metric');
  const baseIds = tok.encode(opts.base);
  const sourceIds = tok.encode(opts.source);
  if (baseIds.length === 0 || sourceIds.length === 0) throw new PatchbayError('INPUT_INVALID', 'both prompts need at least one token');
  if (baseIds.length !== sourceIds.length) {
    throw new PatchbayError('INPUT_INVALID',
      `base has ${baseIds.length} tokens and source ${sourceIds.length}: a position-by-position sweep needs prompts of equal token length`, 'sweep.source');
  }
  const { nLayers } = model.info.dims;
  const seq = baseIds.length;
  const sourceClean = await cleanLogits(model, opts.source, io.signal);
  const values: number[][] = Array.from({ length: seq }, () => new Array<number>(nLayers).fill(0));
  let original: number[] | null = null;
  let score: ((logits: number[]) => number) | null = null;
  let answerId = 0;
  let baseTop = 0;
  for (let layer = 0; layer < nLayers; layer++) {
    throwIfAborted(io.signal);
    const r = await layerRun(model, opts, layer, seq, io.signal);
    if (!original || !score) {
      original = r.original.logits!;
      baseTop = argmax(original);
      answerId = opts.answer ? firstToken(tok.encode(opts.answer), opts.answer) : argmax(sourceClean);
      const id = answerId;
      const top = baseTop;
      score = (logits) => (opts.metric === 'prob' ? softmax(logits)[id]! : logits[id]! - logits[top]!);
    }
    const perRow = r.rows ?? [{ intervened: r.intervened }];
    perRow.forEach((row, pos) => { values[pos]![layer] = score!(row.intervened.logits!); });
    io.onProgress?.({ done: (layer + 1) * seq, total: nLayers * seq });
  }
  return {
    tokens: tok.tokenTexts(baseIds), layers: nLayers, component: opts.component, metric: opts.metric,
    answer: { id: answerId, text: tok.decode([answerId]) }, baseAnswer: { id: baseTop, text: tok.decode([baseTop]) },
    low: score!(original!), high: score!(sourceClean), values,
  };
}

/** One layer's cells as one batched experiment: the base repeated once per position, row p patched at position p. */
async function layerRun(model: LoadedModel, opts: SweepOptions, layer: number, seq: number, signal?: AbortSignal) {
  const rows = Array.from({ length: seq }, (_, p) => [p]);
  const parsed = validateExperiment({
    base: rows.map(() => opts.base), sources: [opts.source],
    config: { representations: [{ layer, component: opts.component, unit: 'pos', intervention_type: 'VanillaIntervention' }] },
    unit_locations: { 'sources->base': [[rows], [rows]] },
    options: { top_k: 1, full_logits: true },
  });
  if (!parsed.ok) throw new PatchbayError('EXPERIMENT_INVALID', parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  return runExperiment(model, parsed.value, { signal });
}

/** A prompt's clean last-position logits: the original (untouched) row of a run that only collects. */
async function cleanLogits(model: LoadedModel, text: string, signal?: AbortSignal): Promise<number[]> {
  const parsed = validateExperiment({
    base: text, config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'CollectIntervention' }] },
    unit_locations: { base: 0 }, options: { top_k: 1, full_logits: true },
  });
  if (!parsed.ok) throw new PatchbayError('EXPERIMENT_INVALID', 'internal: the clean-run document is invalid');
  return (await runExperiment(model, parsed.value, { signal })).original.logits!;
}

/** The sweep as JSON (snake_case, as the trace and `patchbay run` write theirs): what `patchbay sweep` prints. */
export function sweepToJson(r: SweepResult): Record<string, unknown> {
  return {
    tokens: r.tokens, layers: r.layers, component: r.component, metric: r.metric,
    answer: r.answer, base_answer: r.baseAnswer, low_score: r.low, high_score: r.high, values: r.values,
  };
}

function argmax(v: number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

function firstToken(ids: number[], text: string): number {
  if (ids.length === 0) throw new PatchbayError('INPUT_INVALID', `the answer "${text}" encodes to no tokens`, 'sweep.answer');
  return ids[0]!;
}
