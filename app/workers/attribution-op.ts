// Attribution patching as the worker runs it: the view's settings (the experiment slice's `attribution`) → token ids
// → the engine's attributionPatching (estimate from one backward pass, beside the exact sweep), and the exact check of
// chosen cells ("verify top cells"). Stage: experiments (adapter only; the math is the engine's).
import type { LoadedModel } from '../../engine/load/load-model';
import { PatchbayError } from '../../engine/errors';
import { isComponent, type Component } from '../../engine/sites/components';
import { attributionPatching, exactCells, type AttributionResult } from '../../engine/training/attribution';
import { forward } from '../../engine/run/forward';
import { graphCache } from '../../engine/compile/graph-cache';
import type { AttributionSettings } from '../link/schema';

export type AttributionProgress = { phase: 'collect' | 'gradient' | 'exact' | 'done' };

export interface AttributionOutput extends AttributionResult {
  tokens: string[];
  answer: { id: number; text: string };
}

export interface VerifyInput { settings: AttributionSettings; cells: { layer: number; position: number }[] }

interface Prepared { clean: number[]; corrupt: number[]; answer: number; component: Component; tokens: string[] }

async function prepare(model: LoadedModel, s: AttributionSettings): Promise<Prepared> {
  const tok = model.tokenizer;
  if (!tok) throw new PatchbayError('TOKENIZER_MISSING', 'this model has no tokenizer.json: attribution patching needs text prompts');
  if (!isComponent(s.component)) throw new PatchbayError('SITE_UNKNOWN', `unknown component "${s.component}"`, 'attribution.component');
  const clean = tok.encode(s.clean);
  const corrupt = tok.encode(s.corrupt);
  if (clean.length === 0 || corrupt.length === 0) throw new PatchbayError('INPUT_INVALID', 'both prompts need at least one token', 'attribution.clean');
  if (clean.length !== corrupt.length) {
    throw new PatchbayError('INPUT_INVALID', `the clean prompt is ${clean.length} tokens and the corrupted one ${corrupt.length}: make them the same length`, 'attribution.corrupt');
  }
  let answer: number;
  if (s.answer === null || s.answer === '') {
    const out = await forward(model, await graphCache(model).get([]), { ids: [clean], logits: 'last' });
    answer = argmax(out.logits!.data);
  } else {
    const ids = tok.encode(s.answer);
    if (ids.length !== 1) throw new PatchbayError('INPUT_INVALID', `the answer "${s.answer}" is ${ids.length} tokens; it must be one (mind the leading space: " she")`, 'attribution.answer');
    answer = ids[0]!;
  }
  return { clean, corrupt, answer, component: s.component, tokens: tok.tokenTexts(corrupt) };
}

function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

export async function runAttribution(model: LoadedModel, s: AttributionSettings, io: { onProgress: (p: AttributionProgress) => void; signal: AbortSignal }): Promise<AttributionOutput> {
  const p = await prepare(model, s);
  const r = await attributionPatching(model, p.clean, p.corrupt, p.answer, { component: p.component, exact: true, onProgress: io.onProgress, signal: io.signal });
  return { ...r, tokens: p.tokens, answer: { id: p.answer, text: model.tokenizer!.decode([p.answer]) } };
}

/** The exact change of log p(answer) at each chosen cell, in the order given. */
export async function runVerify(model: LoadedModel, input: VerifyInput, io: { onProgress: (p: unknown) => void; signal: AbortSignal }): Promise<number[]> {
  const p = await prepare(model, input.settings);
  return exactCells(model, p.clean, p.corrupt, p.answer, p.component, input.cells, io.signal);
}
