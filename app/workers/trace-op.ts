// Causal tracing as the worker runs it: adapts the UI's trace settings to the engine's causalTrace. Stage:
// experiments. (Until engine/experiments/causal-trace.ts lands this reports that tracing is not available.)
import type { LoadedModel } from '../../engine/model/load-model';
import { PatchbayError } from '../../engine/errors';

export type TraceKind = 'resid' | 'mlp' | 'attn';

export interface TraceInput {
  prompt: string;
  subject: string;
  /** The answer token's text; null = the clean run's top-1. */
  answer: string | null;
  samples: number;
  /** Noise scale; null = 3 × the std of the subject embeddings. */
  noise: number | null;
  window: number;
  kinds: TraceKind[];
  seed: number;
  corruption: 'noise' | 'replace';
}

export interface TraceProgress { done: number; total: number }

export interface TraceOutput {
  tokens: string[];
  input_ids: number[];
  subject_range: [number, number];
  answer: { id: number; text: string };
  low_score: number;
  high_score: number;
  /** scores[kind][token][layer]. */
  scores: Partial<Record<TraceKind, number[][]>>;
  noise: number;
}

export async function runTrace(_model: LoadedModel, _input: TraceInput, _io: { onProgress: (p: TraceProgress) => void; signal: AbortSignal }): Promise<TraceOutput> {
  throw new PatchbayError('CONFIG_UNSUPPORTED', 'causal tracing is not in this build of the engine yet');
}
