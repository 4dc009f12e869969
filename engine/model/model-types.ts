// Plain data describing a loaded model: its family, dimensions and graph I/O. Stage: model.
export type Family = 'gpt2' | 'gpt_neox';

export interface ModelDims {
  nLayers: number;
  dModel: number;
  nHeads: number;
  dHead: number;
  dMlp: number;
  vocabSize: number;
}
