// An imported result file (engine/io/result-files.ts) as what a screen shows for an in-browser run: the op's result
// in the app's own shape, the screen it belongs to, and the settings the file carries (prompts, subject, component).
// Tokens and labels come from the file, never from a tokenizer, so results of models the browser cannot load display.
import type { ResultFile, RunFile, SweepFile, TraceFile } from '../../../engine/io/result-files';
import { softmax } from '../../../engine/experiment/top-k';
import type { ExperimentResult } from '../../../engine/experiment/run-experiment';
import type { RunOutput } from '../../workers/engine-ops';
import type { TraceOutput } from '../../workers/trace-op';
import type { SweepResult } from '../../workers/sweep';
import { defaultExperiment, type GenerateSettings, type SweepSettings, type TraceSettings } from '../../link/schema';
import { generationView, type ImportedGeneration } from './generate-view';

/** `carried`: which of the screen's settings the file set (the rest stay the workbench's own). */
export type ImportedView = { carried: string } & (
  | { op: 'trace'; view: 'trace'; result: TraceOutput; settings: Partial<TraceSettings> }
  | { op: 'sweep'; view: 'sweep'; result: SweepResult; settings: Partial<SweepSettings> }
  | { op: 'intervention'; view: 'intervene'; result: RunOutput | ExperimentResult; intervention: Record<string, unknown> }
  | { op: 'generation'; view: 'generate'; result: ImportedGeneration; settings: Partial<GenerateSettings> });

/** What a generation file's settings are read against: the Generate screen's settings and the open model's layers. */
export interface ImportContext { generate: GenerateSettings; nLayers: number | null }

/** The experiment document a file may carry (`"experiment"`, as the exported scripts can write it). */
function carriedDocument(r: object): Record<string, unknown> | null {
  const e = (r as { experiment?: unknown }).experiment;
  return e && typeof e === 'object' && !Array.isArray(e) ? e as Record<string, unknown> : null;
}

/** The view for a parsed file, or why it cannot be shown (a sentence naming the kind). */
export function viewForResult(file: ResultFile, context: ImportContext = { generate: defaultExperiment().generate, nLayers: null }): ImportedView | { error: string } {
  if (file.kind === 'trace') return traceView(file.result);
  if (file.kind === 'sweep') return sweepView(file.result);
  if (file.kind === 'run') return runView(file.result);
  if (file.kind === 'gru-run') return { error: 'a GRU run result (time steps): the workbench draws those only from in-browser runs for now' };
  return { op: 'generation', view: 'generate', ...generationView(file.result, context.generate, context.nLayers) };
}

/** JSON has no NaN: a cell a file left out is null, drawn as an empty (grey) cell. */
function grid(values: (number | null)[][]): number[][] {
  return values.map((row) => row.map((v) => (v === null ? Number.NaN : v)));
}

const NO_STATS: TraceOutput['stats'] = { strategy: 'staged', batches: 0, block_token_rows: 0, kv_token_rows: 0, attention_pairs: 0, head_rows: 0, seconds: 0 };

function traceView(t: TraceFile): ImportedView {
  const scores: TraceOutput['scores'] = {};
  for (const k of t.kinds) scores[k] = grid(t.scores[k]!);
  const n = (t.noise ?? {}) as Record<string, unknown>;
  const spec = typeof n.spec === 'string' || typeof n.spec === 'number' ? n.spec : null;
  const result: TraceOutput = {
    tokens: t.tokens, input_ids: t.input_ids, subject_range: t.subject_range, answer: t.answer,
    low_score: t.low_score, high_score: t.high_score, scores, kinds: t.kinds, window: t.window, samples: t.samples,
    noise: {
      kind: (['gaussian', 'uniform', 'explicit', 'replace'].includes(String(n.kind)) ? n.kind : 'gaussian') as TraceOutput['noise']['kind'],
      spec, scale: numberOrNull(n.scale), embedding_std: numberOrNull(n.embedding_std), std_subjects: null,
      seed: numberOrNull(n.seed), generator: typeof n.generator === 'string' ? n.generator : null,
      shape: [t.samples, t.subject_range[1] - t.subject_range[0], 0],
    },
    // Not drawn; kept as the file has them (the scripts write none).
    stats: { ...NO_STATS, ...(t.stats ?? {}) } as TraceOutput['stats'],
  };
  const prompt = t.tokens.join('');
  const settings: Partial<TraceSettings> = {
    prompt, subject: t.tokens.slice(t.subject_range[0], t.subject_range[1]).join('').trim(),
    answer: t.answer.text, samples: t.samples, window: t.window, kinds: t.kinds,
  };
  if (typeof spec === 'number') settings.noise = spec;
  if (typeof n.seed === 'number' && Number.isInteger(n.seed) && n.seed >= 0) settings.seed = n.seed;
  return { op: 'trace', view: 'trace', result, settings, carried: 'prompt, subject, answer, samples, window and restored kinds' };
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function sweepView(s: SweepFile): ImportedView {
  const answer = { id: s.answer.id, text: s.answer.text ?? `#${s.answer.id}` };
  const base = s.base_answer ? { id: s.base_answer.id, text: s.base_answer.text ?? `#${s.base_answer.id}` } : answer;
  const result: SweepResult = {
    tokens: s.tokens, layers: s.layers, component: s.component, metric: s.metric, answer, baseAnswer: base,
    low: s.low_score, high: s.high_score, values: grid(s.values),
  };
  const settings: Partial<SweepSettings> = { base: s.tokens.join(''), component: s.component, metric: s.metric, answer: s.answer.text };
  const source = carriedDocument(s)?.source;
  if (typeof source === 'string') settings.source = source;
  const carried = `base prompt, component, metric and answer${settings.source === undefined ? ' (the file has no source prompt)' : ', source prompt'}`;
  return { op: 'sweep', view: 'sweep', result, settings, carried };
}

function runView(r: RunFile): ImportedView {
  const result: ExperimentResult = {
    tokens: r.tokens, input_ids: r.input_ids, original: r.original, intervened: r.intervened, collected: r.collected,
    ...(r.rows ? { rows: r.rows } : {}),
  };
  const doc = carriedDocument(r);
  const intervention: Record<string, unknown> = doc ? { ...doc } : {};
  delete intervention.model; // the workbench's model stays (the file's is named in the banner)
  if (!doc && r.tokens.base && !r.rows) intervention.base = r.tokens.base.join('');
  if (!doc && r.tokens.sources.every((s) => s !== null)) intervention.sources = (r.tokens.sources as string[][]).map((s) => s.join(''));
  const carried = doc ? 'the whole experiment document' : 'base and source prompts (the interventions are not in the file: the ones shown are the workbench\'s)';
  const o = r.original.logits;
  const i = r.intervened.logits;
  if (!o || !i || o.length !== i.length) return { op: 'intervention', view: 'intervene', result, intervention, carried };
  // With the full logits in the file, the next-token table is exact on both sides, as for an in-browser run.
  const before = softmax(o);
  const after = softmax(i);
  const names = new Map([...r.original.top_k, ...r.intervened.top_k].map((t) => [t.id, t.token]));
  const table = [...names].filter(([id]) => id < before.length)
    .map(([id, token]) => ({ id, token, before: before[id]!, after: after[id]! }))
    .sort((a, b) => b.after - a.after || b.before - a.before);
  return { op: 'intervention', view: 'intervene', result: { ...result, table }, intervention, carried };
}
