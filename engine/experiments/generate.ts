// Generation with interventions: the original and the intervened continuation of one prompt, token by token, as two
// rows of each pass. Greedy or seeded sampling; the key/value cache where the graph has one (each pass then feeds
// one new token and the previous presents), full recompute otherwise. An experiment's interventions apply on the
// prompt, at every decoding position, or both (generate/step-feeds.ts). Stage: runs → results.
import { PatchbayError, throwIfAborted } from '../errors.js';
import type { LoadedModel } from '../load/load-model.js';
import type { FloatTensor } from '../runtime/tensor.js';
import type { SideFiles } from '../interventions/params.js';
import { seededRng, type Rng } from '../util/random.js';
import type { ExperimentDoc } from '../experiment/experiment-schema.js';
import { planExperiment } from '../experiment/plan.js';
import { projectionTerms } from '../experiment/feeds.js';
import { collectSources, slotSpecs } from '../experiment/run-experiment.js';
import { graphCache, type CompiledGraph } from '../compile/graph-cache.js';
import { checkSampling, chooseToken, type SamplingOptions } from './generate/sampling.js';
import { cacheNames, decodeStep, type CacheNames } from './generate/decode-step.js';
import { placeInterventions, stepFeeds, type GenerationIntervention, type InterveneOn, type Window } from './generate/step-feeds.js';

export type { InterveneOn } from './generate/step-feeds.js';

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  interveneOn: InterveneOn;
  /** Seeds the sampler (both continuations draw the same numbers, so an idle intervention reproduces the original). */
  seed?: number;
  /** 'off' recomputes the whole sequence every step even when the graph has a cache. */
  cache?: 'auto' | 'off';
  /** A continuation ends after it emits one of these tokens (e.g. end of text); generation ends when both have. */
  stopTokens?: number[];
}

export interface GeneratedToken { id: number; text: string | null; prob: number }

export interface Continuation {
  ids: number[];
  /** The generated tokens decoded together (null without a tokenizer). */
  text: string | null;
  tokens: GeneratedToken[];
}

export interface GenerateResult {
  prompt_ids: number[];
  original: Continuation;
  intervened: Continuation;
  /** Whether passes after the first fed one token and the key/value cache. */
  cached: boolean;
}

export type GenerateProgress =
  | { stage: 'compile' | 'sources'; done: number; total: number }
  /** After each step: both continuations so far (a few dozen tokens: cheap to send across the worker boundary). */
  | { stage: 'token'; step: number; total: number; original: GeneratedToken[]; intervened: GeneratedToken[] };

export interface GenerateIo {
  onProgress?: (p: GenerateProgress) => void;
  signal?: AbortSignal;
  files?: SideFiles;
}

interface Loop {
  model: LoadedModel;
  graph: CompiledGraph;
  cache: CacheNames | null;
  gis: GenerationIntervention[];
  terms: ReturnType<typeof projectionTerms>;
  opts: GenerateOptions;
  noise: Rng;
}

/** Generates from the document's base (one prompt) with its interventions; the document's own sources are read once.
 *  The end-of-text token of GPT-2 / Pythia tokenizers: endOfText(model). */
export async function generate(model: LoadedModel, doc: ExperimentDoc, opts: GenerateOptions, io: GenerateIo = {}): Promise<GenerateResult> {
  checkSampling(opts);
  if (!Number.isInteger(opts.maxNewTokens) || opts.maxNewTokens < 1) throw new PatchbayError('INPUT_INVALID', `max new tokens ${opts.maxNewTokens} is not a whole number ≥ 1`);
  const plan = planExperiment(model, doc, io.files);
  const prompt = plan.baseIds[0]!;
  checkContext(model, prompt.length + opts.maxNewTokens - 1);
  io.onProgress?.({ stage: 'compile', done: 0, total: 1 });
  const graph = await graphCache(model).get(slotSpecs(plan));
  const sources = await collectSources(model, plan, graph, doc.options.seed, {
    signal: io.signal, onProgress: (p) => io.onProgress?.({ stage: 'sources', done: p.done, total: plan.sourceIds.length }),
  });
  const loop: Loop = {
    model, graph, cache: opts.cache === 'off' ? null : cacheNames(graph), opts, noise: seededRng(doc.options.seed),
    gis: placeInterventions(model, plan, sources, opts.interveneOn), terms: projectionTerms(plan.interventions),
  };
  const rows = [[...prompt], [...prompt]];
  const rngs = [seededRng(opts.seed ?? 0), seededRng(opts.seed ?? 0)];
  const tokens: GeneratedToken[][] = [[], []];
  const stops = new Set(opts.stopTokens ?? []);
  const ended = [false, false];
  let past: Record<string, FloatTensor> | undefined;
  for (let step = 0; step < opts.maxNewTokens && !(ended[0] && ended[1]); step++) {
    throwIfAborted(io.signal);
    const T = rows[0]!.length;
    const w: Window = loop.cache && step > 0 ? { start: T - 1, length: 1, promptLength: prompt.length } : { start: 0, length: T, promptLength: prompt.length };
    const ids = rows.map((r) => r.slice(w.start));
    const feeds = stepFeeds(model, loop.gis, loop.terms, w, opts.interveneOn, 2, 1, loop.noise);
    const out = await decodeStep(model, graph, { ids, pastLength: w.start, past, feeds, cache: loop.cache, signal: io.signal });
    past = out.present;
    const V = model.info.dims.vocabSize;
    for (let r = 0; r < 2; r++) {
      const choice = chooseToken(out.logits.data.subarray(r * V, (r + 1) * V), opts, rngs[r]!);
      rows[r]!.push(choice.id); // an ended row keeps decoding (rows of a pass share a length); its tokens are dropped
      if (ended[r]) continue;
      tokens[r]!.push({ id: choice.id, text: model.tokenizer?.decode([choice.id]) ?? null, prob: choice.prob });
      ended[r] = stops.has(choice.id);
    }
    io.onProgress?.({ stage: 'token', step, total: opts.maxNewTokens, original: tokens[0]!.slice(), intervened: tokens[1]!.slice() });
  }
  const continuation = (r: number): Continuation => {
    const ids = tokens[r]!.map((t) => t.id);
    return { ids, text: model.tokenizer?.decode(ids) ?? null, tokens: tokens[r]! };
  };
  return { prompt_ids: prompt, original: continuation(0), intervened: continuation(1), cached: loop.cache !== null };
}

/** The longest sequence a pass will see must fit the model's position embeddings. */
function checkContext(model: LoadedModel, longest: number): void {
  const limit = (model.info.dims as { contextLength?: number }).contextLength;
  if (limit && longest > limit) {
    throw new PatchbayError('INPUT_INVALID', `prompt + new tokens need ${longest} positions; the model has ${limit}: shorten the prompt or ask for fewer tokens`);
  }
}

/** The id of "<|endoftext|>" when the tokenizer has it as one token (GPT-2 and Pythia tokenizers do). */
export function endOfText(model: LoadedModel): number | undefined {
  const ids = model.tokenizer?.encode('<|endoftext|>');
  return ids?.length === 1 ? ids[0] : undefined;
}
