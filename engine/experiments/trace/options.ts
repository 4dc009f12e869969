// Causal tracing's options, their defaults and validation, and how they become concrete inputs: token ids, the
// subject's token range (found as ROME's find_token_range finds it), the answer token. Stage: plan (for the trace).
import { PatchbayError } from '../../errors.js';
import type { LoadedModel } from '../../load/load-model.js';
import type { TextTokenizer } from '../../tokenizer.js';
import { checkContext } from '../../run/context-check.js';

export const TRACE_KINDS = ['resid', 'mlp', 'attn'] as const;
export type TraceKind = (typeof TRACE_KINDS)[number];

export interface TraceOptions {
  /** The prompt as text (needs the model's tokenizer), or its token ids. */
  prompt?: string;
  inputIds?: number[];
  /** The subject as text (found in the prompt) or as a token range [begin, end). */
  subject?: string;
  subjectRange?: [number, number];
  /** The answer token; defaults to the clean run's top-1 token. Text must be exactly one token. */
  answerText?: string;
  answerId?: number;
  /** Corrupted rows per cell (ROME's `samples`); default 10. */
  samples?: number;
  /** Noise scale: a number, "sN" = N × the std of the subject tokens' embeddings, or "uN" = uniform noise of
   *  scale N (ROME's codes); default "s3". */
  noise?: number | string;
  /** Subjects whose token embeddings give the std for "sN" (each tokenized on its own, as ROME does). */
  noiseSubjects?: string[];
  /** Explicit noise, [samples][subject tokens][d_model]; replaces the generated noise (and `samples`). */
  noiseValues?: number[][][];
  /** Uniform noise in [−scale, scale) instead of Gaussian (ROME's "uN"). */
  uniform?: boolean;
  /** Seed of the noise generator; default 1. */
  seed?: number;
  /** Window of layers restored for the mlp and attn kinds; default 10. */
  window?: number;
  kinds?: TraceKind[];
  /** Symmetric token replacement: the corrupted run reads this prompt (same token length) instead of noise. */
  replaceWith?: string;
  replaceIds?: number[];
  /** 'staged' (per-block graphs reusing the corrupted run's prefix), 'batched' (whole graph, cells as rows). */
  strategy?: 'auto' | 'staged' | 'batched';
  /** Memory budget for one run's feeds, outputs and activations, in MB; default 256. */
  memoryBudgetMB?: number;
  /** Fixed number of batch rows per run (overrides the budget). */
  batchRows?: number;
  /** Return the noise values in the result (they are reproducible from the seed otherwise). */
  returnNoise?: boolean;
}

/** The validated, concrete inputs of a trace. */
export interface TraceInputs {
  ids: number[];
  tokens: string[];
  subject: [number, number];
  kinds: TraceKind[];
  window: number;
  samples: number;
  seed: number;
  /** Token ids of the corrupted run in token-replacement mode. */
  replaceIds?: number[];
  /** Ids whose embeddings estimate the noise std (one list per subject). */
  stdIds: number[][];
  stdSubjects: string[] | null;
}

const invalid = (message: string, path?: string) => new PatchbayError('TRACE_INVALID', message, path);

export function resolveInputs(model: LoadedModel, opts: TraceOptions): TraceInputs {
  const tok = model.tokenizer;
  const ids = promptIds(opts, tok);
  checkContext(model.info.dims, ids.length, 'the prompt', opts.inputIds ? 'inputIds' : 'prompt');
  const vocab = model.info.dims.vocabSize;
  const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= vocab);
  if (bad !== undefined) throw invalid(`token id ${bad} is outside the vocabulary (0–${vocab - 1})`, 'inputIds');
  const tokens = tok ? tok.tokenTexts(ids) : ids.map((id) => `<${id}>`);
  const subject = subjectRange(opts, tokens, ids.length, tok);
  const kinds = checkKinds(opts.kinds ?? [...TRACE_KINDS]);
  const window = opts.window ?? 10;
  if (!Number.isInteger(window) || window < 1) throw invalid(`window must be a whole number ≥ 1; got ${window}`, 'window');
  const replaceIds = replacement(opts, ids, tok);
  const samples = replaceIds ? 1 : opts.noiseValues ? opts.noiseValues.length : opts.samples ?? 10;
  if (!Number.isInteger(samples) || samples < 1) throw invalid(`samples must be a whole number ≥ 1; got ${samples}`, 'samples');
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(seed)) throw invalid(`seed must be a whole number; got ${seed}`, 'seed');
  let stdIds = [ids.slice(subject[0], subject[1])];
  let stdSubjects: string[] | null = null;
  if (opts.noiseSubjects?.length) {
    if (!tok) throw new PatchbayError('TOKENIZER_MISSING', 'noise subjects are text; this model has no tokenizer.json');
    stdSubjects = opts.noiseSubjects;
    stdIds = opts.noiseSubjects.map((s) => tok.encode(s));
  } else if (tok && opts.subject !== undefined) {
    // ROME tokenizes each subject on its own (no leading space) to estimate the embedding std.
    stdSubjects = [opts.subject];
    stdIds = [tok.encode(opts.subject)];
  }
  return { ids, tokens, subject, kinds, window, samples, seed, replaceIds, stdIds, stdSubjects };
}

function promptIds(opts: TraceOptions, tok: TextTokenizer | undefined): number[] {
  if (opts.inputIds && opts.prompt !== undefined) throw invalid('give the prompt as text or as input ids, not both');
  if (opts.inputIds) {
    if (opts.inputIds.length === 0) throw invalid('the input has no tokens', 'inputIds');
    return [...opts.inputIds];
  }
  if (opts.prompt === undefined) throw invalid('no prompt: give prompt text or input ids');
  if (!tok) throw new PatchbayError('TOKENIZER_MISSING', 'the prompt is text, but this model has no tokenizer.json: give input ids and a subject range');
  const ids = tok.encode(opts.prompt);
  if (ids.length === 0) throw invalid('the prompt encodes to no tokens', 'prompt');
  return ids;
}

function subjectRange(opts: TraceOptions, tokens: string[], n: number, tok: TextTokenizer | undefined): [number, number] {
  if (opts.subjectRange) {
    const [b, e] = opts.subjectRange;
    if (!Number.isInteger(b) || !Number.isInteger(e) || b < 0 || e > n || b >= e) {
      throw invalid(`subject range [${b}, ${e}) is not a non-empty token range inside the prompt's ${n} tokens (0–${n})`, 'subjectRange');
    }
    return [b, e];
  }
  if (opts.subject === undefined) throw invalid('no subject: give the subject text or its token range');
  if (!tok) throw new PatchbayError('TOKENIZER_MISSING', 'the subject is text, but this model has no tokenizer.json: give a subject range');
  return findTokenRange(tokens, opts.subject);
}

/** The tokens covering the first occurrence of `text` in the decoded prompt (ROME's find_token_range). */
export function findTokenRange(tokens: string[], text: string): [number, number] {
  const whole = tokens.join('');
  const at = text ? whole.indexOf(text) : -1;
  if (at < 0) throw invalid(`subject "${text}" does not occur in the prompt "${whole}"`, 'subject');
  let loc = 0;
  let begin = -1;
  for (let i = 0; i < tokens.length; i++) {
    loc += tokens[i]!.length;
    if (begin < 0 && loc > at) begin = i;
    if (loc >= at + text.length) return [begin, i + 1];
  }
  return [begin, tokens.length];
}

function checkKinds(kinds: string[]): TraceKind[] {
  if (kinds.length === 0) throw invalid('no kinds: choose from resid, mlp, attn', 'kinds');
  for (const k of kinds) {
    if (!(TRACE_KINDS as readonly string[]).includes(k)) throw invalid(`unknown kind "${k}": choose from resid, mlp, attn`, 'kinds');
  }
  return [...new Set(kinds as TraceKind[])];
}

function replacement(opts: TraceOptions, ids: number[], tok: TextTokenizer | undefined): number[] | undefined {
  let src = opts.replaceIds;
  if (opts.replaceWith !== undefined) {
    if (!tok) throw new PatchbayError('TOKENIZER_MISSING', 'the replacement prompt is text, but this model has no tokenizer.json: give replacement ids');
    src = tok.encode(opts.replaceWith);
  }
  if (!src) return undefined;
  if (opts.noiseValues) throw invalid('token replacement and explicit noise exclude each other', 'replaceWith');
  if (src.length !== ids.length) {
    throw invalid(`the replacement prompt has ${src.length} tokens; it must have the prompt's ${ids.length} (choose a subject of the same token length)`, 'replaceWith');
  }
  return [...src];
}

/** The answer token: given as an id, as one-token text, or the clean run's top-1 token. */
export function resolveAnswer(opts: TraceOptions, model: LoadedModel, top1: number): number {
  const vocab = model.info.dims.vocabSize;
  if (opts.answerId !== undefined && opts.answerText !== undefined) throw invalid('give the answer as text or as an id, not both', 'answer');
  if (opts.answerId !== undefined) {
    if (!Number.isInteger(opts.answerId) || opts.answerId < 0 || opts.answerId >= vocab) {
      throw invalid(`answer id ${opts.answerId} is outside the vocabulary (0–${vocab - 1})`, 'answerId');
    }
    return opts.answerId;
  }
  if (opts.answerText === undefined) return top1;
  const tok = model.tokenizer;
  if (!tok) throw new PatchbayError('TOKENIZER_MISSING', 'the answer is text, but this model has no tokenizer.json: give an answer id');
  const ids = tok.encode(opts.answerText);
  if (ids.length !== 1) {
    const parts = tok.tokenTexts(ids).map((t) => JSON.stringify(t)).join(', ');
    throw invalid(`answer "${opts.answerText}" is ${ids.length} tokens (${parts || 'none'}); it must be exactly one ` +
      '(GPT-2-style tokens usually start with a space, e.g. " Paris"), or give an answer id', 'answerText');
  }
  return ids[0]!;
}
