// The messages between the UI and the engine worker: plain data only (it crosses postMessage via comlink).
// Every call answers with a Result, so errors keep their engine code and JSON path across the boundary.
import type { LoadProgress } from '../../engine/io/file-access';
import type { Family, ModelDims } from '../../engine/model/model-types';
import type { ModelVariant } from '../../engine/model/model-ref';

export type ExecutionProvider = 'wasm' | 'webgpu';

export interface WorkerError {
  code: string;
  message: string;
  path?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: WorkerError };

/** Where the worker reads a model from. */
export type OpenRequest =
  | { kind: 'bundled'; id: string; modelFile?: string }
  | { kind: 'http'; name: string; baseUrl: string; modelFile?: string; variant: ModelVariant; cache: boolean }
  | { kind: 'files'; name: string; files: { path: string; bytes: Uint8Array }[]; modelFile?: string };

/** Download progress plus the stages after it. */
export type OpenProgress = LoadProgress | { status: 'stage'; message: string };

export interface RuntimeFacts {
  crossOriginIsolated: boolean;
  threads: number;
  webgpu: boolean;
  provider: ExecutionProvider;
}

export interface ModelSummary {
  name: string;
  /** 'gru': a recurrent network (engine/recurrent/); only the Interventions screen's GRU panel works on it. */
  family: Family | 'gru';
  /** For a GRU: nLayers, dModel = hidden size, vocabSize = output size, the rest 0 (see `recurrent`). */
  dims: ModelDims;
  /** A GRU's own sizes (absent for transformers). */
  recurrent?: { hidden: number; inputSize: number; outputSize: number };
  bytes: number;
  hasTokenizer: boolean;
  /** How the graph was made: exporter, number format, cache layout (see engine/model/graph-facts.ts). */
  graph: { exporter: string; dtype: string; layout: string };
  /** Sites the graph does not hold, by site id, with the reason (the site grid greys them out). */
  unavailableSites: Record<string, string>;
  runtime: RuntimeFacts;
}

export interface TopToken {
  id: number;
  token: string;
  prob: number;
}

export interface Prediction {
  ids: number[];
  tokens: string[];
  top: TopToken[];
}

export interface Tokenized {
  ids: number[];
  tokens: string[];
}
