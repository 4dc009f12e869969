// Loading a recurrent network (an export with one GRU node per layer) and opening any model reference as either a
// transformer decoder (load/load-model.ts) or a recurrent network. Compiled sessions are kept per slot set.
// Stage: model bytes → RecurrentModel.
import { decodeModel, encodeForRuntime, type DecodedModel } from '../onnx/model-file.js';
import { loadModel, type LoadedModel } from '../load/load-model.js';
import type { AccessResolver, OpenOptions } from '../load/open-model.js';
import type { ModelFiles } from '../model/model-types.js';
import { fetchModelFiles } from '../model/fetch-model-files.js';
import { parseModelRef } from '../model/model-ref.js';
import { Session } from '../runtime/ort-runtime.js';
import { isRecurrentGraph, readGruStructure, type GruStructure } from './gru-graph.js';
import { gruSlotsKey, instrumentGru, type GruSlotSpec } from './gru-slots.js';

export interface RecurrentInfo {
  name: string;
  family: 'gru';
  dims: { nLayers: number; hidden: number; inputSize: number; outputSize: number };
  bytes: number;
}

export interface RecurrentModel {
  kind: 'recurrent';
  info: RecurrentInfo;
  decoded: DecodedModel;
  gru: GruStructure;
  /** Compiled sessions by slot set (filled on demand; the graph itself is never changed). */
  sessions: Map<string, Promise<Session>>;
}

export function loadRecurrentModel(files: ModelFiles, decoded = decodeModel(files.model, files.externalFiles)): RecurrentModel {
  const gru = readGruStructure(decoded.proto.graph);
  const hidden = gru.layers[0]!.hidden;
  return {
    kind: 'recurrent', decoded, gru, sessions: new Map(),
    info: { name: files.name, family: 'gru', dims: { nLayers: gru.layers.length, hidden, inputSize: gru.inputSize, outputSize: gru.outputSize }, bytes: files.model.byteLength },
  };
}

/** A transformer decoder or, when the graph has GRU nodes, a recurrent network. */
export function loadAnyModel(files: ModelFiles): LoadedModel | RecurrentModel {
  const decoded = decodeModel(files.model, files.externalFiles);
  return isRecurrentGraph(decoded.proto.graph) ? loadRecurrentModel(files, decoded) : loadModel(files, decoded);
}

export async function openAnyModel(reference: string, resolve: AccessResolver, opts: OpenOptions = {}): Promise<LoadedModel | RecurrentModel> {
  const ref = parseModelRef(reference, opts.bundledIds, opts.localPathExists);
  const { access, modelFile } = await resolve(ref);
  return loadAnyModel(await fetchModelFiles(access, reference, { modelFile, variant: opts.variant, onProgress: opts.onProgress, signal: opts.signal }));
}

export function isRecurrent(m: LoadedModel | RecurrentModel): m is RecurrentModel {
  return (m as RecurrentModel).kind === 'recurrent';
}

/** The session of the graph instrumented with `spec` (cached). */
export function recurrentSession(model: RecurrentModel, spec: GruSlotSpec): Promise<Session> {
  const key = gruSlotsKey(spec);
  let s = model.sessions.get(key);
  if (!s) {
    s = Session.create(encodeForRuntime(model.decoded, instrumentGru(model.decoded.proto, model.gru, spec)));
    model.sessions.set(key, s);
    s.catch(() => model.sessions.delete(key));
  }
  return s;
}
