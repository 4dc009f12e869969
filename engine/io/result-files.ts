// Result files: the JSON that `patchbay run` / `trace` / `sweep` / `generate --json` write and that the exported
// pyvene / nnsight scripts write (the same formats, plus `provenance`). Exports: `parseResultFile(json)` and
// `parseResultText(text)` (never throw: `{ ok, file }` or `{ ok: false, errors: [{ path, message }] }`), the
// `ResultFile` union (kind run | gru-run | trace | sweep | generate), `Provenance`, `resultFileError`, `provenanceLine`.
import { z } from 'zod';
import { PatchbayError } from '../errors.js';
import { formatPath, type ValidationIssue } from '../experiment/experiment-schema.js';

const Id = z.number().int().nonnegative();
/** Scores of a grid: a number, or null for a cell a file left out (JSON has no NaN). */
const Cell = z.number().nullable();

export const ProvenanceSchema = z.object({
  engine: z.string().min(1),
  versions: z.record(z.string(), z.string()).default({}),
  model: z.string(),
  device: z.string(),
  remote: z.boolean().default(false),
}).passthrough();
export type Provenance = z.infer<typeof ProvenanceSchema>;

const TokenProbSchema = z.object({ id: Id, token: z.string().nullable(), prob: z.number(), logit: z.number() }).passthrough();
const PredictionSchema = z.object({ top_k: z.array(TokenProbSchema), logits: z.array(z.number()).optional() }).passthrough();
const CollectedSchema = z.object({
  intervention: Id, site: z.string(), row: Id,
  units: z.array(z.object({ pos: Id.optional(), head: Id.optional() }).passthrough()),
  values: z.array(z.array(z.number())),
}).passthrough();
const Common = { model: z.string().optional(), provenance: ProvenanceSchema.optional() };

export const RunFileSchema = z.object({
  ...Common,
  tokens: z.object({ base: z.array(z.string()).nullable(), sources: z.array(z.array(z.string()).nullable()) }).passthrough(),
  input_ids: z.object({ base: z.array(Id), sources: z.array(z.array(Id)) }).passthrough(),
  original: PredictionSchema,
  intervened: PredictionSchema,
  collected: z.array(CollectedSchema).default([]),
  rows: z.array(z.object({ input_ids: z.array(Id), original: PredictionSchema, intervened: PredictionSchema }).passthrough()).optional(),
  /** A trained intervention evaluated on pairs (exported DAS scripts): each pair's intervened top-1, and the IIA. */
  pairs: z.array(z.object({
    base: z.string(), source: z.string(), source_label: z.string(), intervened_top: z.object({ id: Id, token: z.string().nullable() }).passthrough(),
    match: z.boolean(), logits: z.array(z.number()).optional(),
  }).passthrough()).optional(),
  iia: z.number().min(0).max(1).optional(),
}).passthrough();
export type RunFile = z.infer<typeof RunFileSchema>;

const GruPredictionSchema = z.object({
  prediction: z.array(z.number()),
  steps: z.array(z.object({ t: Id, top_k: z.array(TokenProbSchema), logits: z.array(z.number()).optional() }).passthrough()),
}).passthrough();
export const GruRunFileSchema = z.object({ ...Common, original: GruPredictionSchema, intervened: GruPredictionSchema }).passthrough();
export type GruRunFile = z.infer<typeof GruRunFileSchema>;

const Answer = z.object({ id: Id, text: z.string().nullable() }).passthrough();
const Grid = z.array(z.array(Cell));

export const SweepFileSchema = z.object({
  ...Common,
  tokens: z.array(z.string()),
  layers: z.number().int().positive(),
  component: z.string(),
  metric: z.enum(['prob', 'logit_diff']),
  answer: Answer,
  base_answer: Answer.nullable().optional(),
  low_score: z.number(),
  high_score: z.number(),
  values: Grid,
}).passthrough().superRefine((s, ctx) => {
  checkGrid(ctx, s.values, s.tokens.length, s.layers, ['values'], 'positions (one per token)');
});
export type SweepFile = z.infer<typeof SweepFileSchema>;

const TRACE_KINDS = ['resid', 'mlp', 'attn'] as const;
export const TraceFileSchema = z.object({
  ...Common,
  tokens: z.array(z.string()).min(1),
  input_ids: z.array(Id),
  subject_range: z.tuple([Id, Id]),
  answer: Answer,
  low_score: z.number(),
  high_score: z.number(),
  scores: z.object({ resid: Grid.optional(), mlp: Grid.optional(), attn: Grid.optional() }).strict(),
  kinds: z.array(z.enum(TRACE_KINDS)).min(1),
  window: z.number().int().positive(),
  samples: z.number().int().positive(),
  noise: z.object({ kind: z.string() }).passthrough().optional(),
  stats: z.object({}).passthrough().optional(),
}).passthrough().superRefine((t, ctx) => {
  const [b, e] = t.subject_range;
  if (!(b < e && e <= t.tokens.length)) {
    ctx.addIssue({ code: 'custom', path: ['subject_range'], message: `[${b}, ${e}) is not a token range inside the ${t.tokens.length} tokens` });
  }
  if (t.input_ids.length !== t.tokens.length) {
    ctx.addIssue({ code: 'custom', path: ['input_ids'], message: `${t.input_ids.length} ids for ${t.tokens.length} tokens` });
  }
  const layers = t.scores[t.kinds[0]!]?.[0]?.length ?? 0;
  for (const kind of t.kinds) {
    const grid = t.scores[kind];
    if (!grid) ctx.addIssue({ code: 'custom', path: ['scores', kind], message: `"kinds" lists ${kind}, but there is no ${kind} grid` });
    else checkGrid(ctx, grid, t.tokens.length, layers, ['scores', kind], 'rows (one per token)');
  }
});
export type TraceFile = z.infer<typeof TraceFileSchema>;

/** Each generated token with its probability under that continuation's own (greedy or sampled) distribution; files
 *  written before this field existed hold ids and text only. */
const GeneratedTokenSchema = z.object({ id: Id, text: z.string().nullable(), prob: z.number().min(0).max(1) }).passthrough();
const Continuation = z.object({ ids: z.array(Id), text: z.string().nullable().default(''), tokens: z.array(GeneratedTokenSchema).optional() }).passthrough()
  .superRefine((c, ctx) => {
    if (c.tokens && c.tokens.length !== c.ids.length) ctx.addIssue({ code: 'custom', path: ['tokens'], message: `${c.tokens.length} tokens for ${c.ids.length} ids` });
    c.tokens?.forEach((t, i) => { if (t.id !== c.ids[i]) ctx.addIssue({ code: 'custom', path: ['tokens', i, 'id'], message: `token ${t.id} where ids[${i}] is ${c.ids[i]}` }); });
  });
export const GenerateFileSchema = z.object({
  ...Common, prompt_ids: z.array(Id).min(1), original: Continuation, intervened: Continuation,
}).passthrough();
export type GenerateFile = z.infer<typeof GenerateFileSchema>;

export type ResultFile =
  | { kind: 'run'; result: RunFile }
  | { kind: 'gru-run'; result: GruRunFile }
  | { kind: 'sweep'; result: SweepFile }
  | { kind: 'trace'; result: TraceFile }
  | { kind: 'generate'; result: GenerateFile };
export type ResultKind = ResultFile['kind'];

export type ParsedResult = { ok: true; file: ResultFile } | { ok: false; errors: ValidationIssue[] };

const SCHEMAS = { run: RunFileSchema, 'gru-run': GruRunFileSchema, sweep: SweepFileSchema, trace: TraceFileSchema, generate: GenerateFileSchema };

/** Which result a parsed JSON value claims to be, from its keys; null when it looks like none. */
export function detectResultKind(json: unknown): ResultKind | null {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return null;
  const o = json as Record<string, unknown>;
  if ('prompt_ids' in o) return 'generate';
  if ('scores' in o || 'subject_range' in o) return 'trace';
  if ('values' in o && 'layers' in o) return 'sweep';
  const original = o.original as Record<string, unknown> | undefined;
  if (original && typeof original === 'object' && 'steps' in original) return 'gru-run';
  if ('original' in o || 'intervened' in o || 'input_ids' in o) return 'run';
  return null;
}

/** Validates a parsed JSON value as a result file; never throws. Error paths are JSON paths ("scores.resid[3]"). */
export function parseResultFile(json: unknown): ParsedResult {
  const kind = detectResultKind(json);
  if (!kind) {
    return { ok: false, errors: [{ path: '(document)', message: 'not a Patchbay result file: expected a run ("original", "intervened"), ' +
      'trace ("scores", "subject_range"), sweep ("values", "layers") or generation ("prompt_ids") result' }] };
  }
  const r = SCHEMAS[kind].safeParse(json);
  if (!r.success) return { ok: false, errors: r.error.issues.map((i) => ({ path: formatPath(i.path), message: `${i.message} (in a ${kind} result)` })) };
  return { ok: true, file: { kind, result: r.data } as ResultFile };
}

/** Parses a result file's text (JSON; Python's NaN/Infinity are refused with a hint); never throws. */
export function parseResultText(text: string): ParsedResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const hint = /\bNaN\b|\bInfinity\b/.test(text) ? ' (the file holds NaN or Infinity, which JSON does not allow)' : '';
    return { ok: false, errors: [{ path: '(document)', message: `not JSON: ${(e as Error).message}${hint}` }] };
  }
  return parseResultFile(json);
}

/** A failed parse as one coded error naming the first problem's JSON path (and how many more there are). */
export function resultFileError(errors: ValidationIssue[], file?: string): PatchbayError {
  const first = errors[0] ?? { path: '(document)', message: 'invalid' };
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new PatchbayError('RESULT_INVALID', `${file ? `${file}: ` : ''}${first.path}: ${first.message}${more}`);
}

/** One line saying where a result came from: "pyvene 0.1.8 · torch 2.13 … · model … on cpu". */
export function provenanceLine(p: Provenance | undefined): string {
  if (!p) return 'Patchbay (no provenance recorded)';
  const versions = Object.entries(p.versions).map(([k, v]) => `${k} ${v}`).join(', ');
  return `${p.engine}${versions ? ` (${versions})` : ''} · model ${p.model} · ${p.remote ? 'remote (NDIF)' : `device ${p.device}`}`;
}

function checkGrid(ctx: z.RefinementCtx, grid: (number | null)[][], rows: number, cols: number, path: (string | number)[], what: string): void {
  if (grid.length !== rows) ctx.addIssue({ code: 'custom', path, message: `${grid.length} ${what.split(' ')[0]}; expected ${rows} ${what}` });
  grid.forEach((row, i) => {
    if (row.length !== cols) ctx.addIssue({ code: 'custom', path: [...path, i], message: `${row.length} values; expected ${cols} (one per layer)` });
  });
}
