// Causal tracing as the worker runs it: turns the UI's trace settings (the experiment slice's `trace`) into the
// engine's causalTrace options and returns its result. Stage: experiments (adapter only; the math is the engine's).
import type { LoadedModel } from '../../engine/load/load-model';
import { causalTrace, type TraceKind, type TraceOptions, type TraceProgress, type TraceResult } from '../../engine/experiments/causal-trace';
import { PatchbayError } from '../../engine/errors';
import type { TraceSettings } from '../link/schema';

export type { TraceKind, TraceProgress };
export type TraceInput = TraceSettings;
export type TraceOutput = TraceResult;

/** The engine options for the UI's settings: the noise scale defaults to "s3" (3 × the subject embeddings' std);
 *  token replacement swaps the subject's text for the replacement in the prompt. */
export function traceOptions(t: TraceInput): TraceOptions {
  const opts: TraceOptions = {
    prompt: t.prompt, subject: t.subject, samples: t.samples, seed: t.seed, window: t.window, kinds: t.kinds,
    ...(t.answer !== null ? { answerText: t.answer } : {}),
  };
  if (t.corruption === 'replace') {
    if (!t.replacement.trim()) throw new PatchbayError('TRACE_INVALID', 'token replacement needs a replacement for the subject', 'trace.replacement');
    const at = t.prompt.indexOf(t.subject);
    if (at < 0) throw new PatchbayError('TRACE_INVALID', `subject "${t.subject}" does not occur in the prompt`, 'trace.subject');
    opts.replaceWith = t.prompt.slice(0, at) + t.replacement + t.prompt.slice(at + t.subject.length);
  } else if (t.noise !== null) opts.noise = t.noise;
  return opts;
}

export function runTrace(model: LoadedModel, input: TraceInput, io: { onProgress: (p: TraceProgress) => void; signal: AbortSignal }): Promise<TraceOutput> {
  return causalTrace(model, traceOptions(input), io);
}
