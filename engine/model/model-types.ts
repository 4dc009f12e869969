// Plain data describing a loaded model: its family, dimensions and graph I/O. Stage: model.
export type Family = 'gpt2' | 'gpt_neox';

export interface ModelDims {
  nLayers: number;
  dModel: number;
  nHeads: number;
  dHead: number;
  dMlp: number;
  vocabSize: number;
  /** Longest sequence the model was trained for (config n_positions / max_position_embeddings, or GPT-2's position
   *  table); undefined when nothing says. */
  contextLength?: number;
}

export interface ModelFiles {
  /** Display name: bundled id, repo id, file name. */
  name: string;
  model: Uint8Array;
  config?: Record<string, unknown>;
  tokenizer?: unknown;
  tokenizerConfig?: unknown;
  /** External weight files the graph names (model.onnx_data), by file name. */
  externalFiles?: Map<string, Uint8Array>;
}

