// The stages of a decoder (see stages.ts) compiled into onnxruntime sessions, with slots where a trace writes:
// the token embedding (noise) in `embed`, the attention and MLP outputs (restores) in each block. Runs one stage on
// a batch: residual rows in, residual rows out. Stage: compile → runs (for the trace).
import { instrument, type SlotSpec } from '../../compile/instrument.js';
import { PatchbayError, throwIfAborted } from '../../errors.js';
import type { LoadedModel } from '../../load/load-model.js';
import { encodeForRuntime } from '../../onnx/model-file.js';
import { Session, runtimeSettings, type ExecutionProvider, type FeedValue } from '../../runtime/ort-runtime.js';
import type { FloatTensor } from '../../runtime/tensor.js';
import { siteId, slotValueNames } from '../../sites/site-id.js';
import { ANSWER_INPUT, cutStages, type StageNames } from './stages.js';

export interface StagedModel {
  names: StageNames;
  embed: Session;
  blocks: Session[];
  /** Keys and values of the last block only (see StageProtos.lastKv). */
  lastKv: Session;
  head: Session;
  release(): Promise<void>;
}

export interface StageRun {
  /** embed: token ids [rows][S']; blocks and head read only their shape (and the positions from pastLength). */
  ids: number[][];
  /** Block and head input: the residual [rows, S', d_model]. */
  resid?: FloatTensor;
  /** Block input: this layer's past keys and values [rows, heads, pastLength, d_head]. */
  past?: { key: FloatTensor; value: FloatTensor };
  pastLength: number;
  /** Slot feeds by graph input name (patchbay.L3.mlp_output.mask …); missing ones are neutral. */
  slots?: Record<string, FloatTensor>;
  /** Head input: the answer token whose probability ANSWER_PROBABILITY returns. */
  answer?: number;
  fetch: string[];
}

const NEUTRAL: FloatTensor = { data: new Float32Array(1), dims: [1] };

/** Cuts the graph, instruments each stage and creates its session; throws CONFIG_UNSUPPORTED for graphs it cannot cut. */
export async function compileStages(model: LoadedModel, io: { onStage?: (done: number, total: number) => void; signal?: AbortSignal } = {},
  provider: ExecutionProvider = runtimeSettings().provider): Promise<StagedModel> {
  const protos = cutStages(model);
  const n = model.info.dims.nLayers;
  const created: Session[] = [];
  const make = async (proto: typeof protos.embed, specs: SlotSpec[]) => {
    throwIfAborted(io.signal);
    const instrumented = instrument(proto, model.sites, model.info.dims, specs);
    const s = await Session.create(encodeForRuntime(model.decoded, instrumented), provider);
    created.push(s);
    io.onStage?.(created.length, n + 3);
    return s;
  };
  try {
    const embed = await make(protos.embed, [{ site: { layer: 0, component: 'token_embedding' }, kind: 'affine' }]);
    const blocks: Session[] = [];
    for (let l = 0; l < n; l++) {
      blocks.push(await make(protos.blocks[l]!, [
        { site: { layer: l, component: 'attention_output' }, kind: 'affine' },
        { site: { layer: l, component: 'mlp_output' }, kind: 'affine' },
      ]));
    }
    const lastKv = await make(protos.lastKv, []);
    const head = await make(protos.head, []);
    return { names: protos.names, embed, blocks, lastKv, head, release: () => releaseAll(created) };
  } catch (e) {
    await releaseAll(created);
    throw e;
  }
}

async function releaseAll(sessions: Session[]): Promise<void> {
  await Promise.all(sessions.map((s) => s.release()));
}

/** Runs one stage session on a batch; returns the fetched values by name. */
export function runStage(model: LoadedModel, staged: StagedModel, session: Session, run: StageRun): Promise<Record<string, FloatTensor>> {
  const rows = run.ids.length;
  const seq = run.ids[0]?.length ?? 0;
  const { nHeads, dHead } = model.info.dims;
  const residNames = new Set(staged.names.residual);
  const feeds: Record<string, FeedValue> = {};
  for (const name of session.inputNames) {
    if (name === 'input_ids') feeds[name] = { int64: BigInt64Array.from(run.ids.flat(), BigInt), dims: [rows, seq] };
    else if (name === 'attention_mask') feeds[name] = { int64: new BigInt64Array(rows * (run.pastLength + seq)).fill(1n), dims: [rows, run.pastLength + seq] };
    else if (name === 'position_ids') feeds[name] = { int64: positions(rows, seq, run.pastLength), dims: [rows, seq] };
    else if (name.startsWith('past_key_values.')) {
      const kv = name.endsWith('.key') ? run.past?.key : run.past?.value;
      feeds[name] = kv ?? { data: new Float32Array(0), dims: [rows, nHeads, 0, dHead] };
    } else if (residNames.has(name)) {
      if (!run.resid) throw new PatchbayError('RUNTIME_FAILED', `stage input ${name} (the residual) was not given`);
      feeds[name] = run.resid;
    } else if (name === ANSWER_INPUT) feeds[name] = { int64: BigInt64Array.of(BigInt(run.answer ?? 0)), dims: [1] };
    else if (name.startsWith('patchbay.')) feeds[name] = run.slots?.[name] ?? NEUTRAL;
    else throw new PatchbayError('MODEL_LAYOUT_UNSUPPORTED', `a trace stage needs an input "${name}" that Patchbay does not know how to feed`);
  }
  return session.run(feeds, run.fetch);
}

function positions(rows: number, seq: number, offset: number): BigInt64Array {
  const pos = new BigInt64Array(rows * seq);
  for (let b = 0; b < rows; b++) for (let s = 0; s < seq; s++) pos[b * seq + s] = BigInt(offset + s);
  return pos;
}

/** Graph names of the slot feeds and collected value of a site in a stage. */
export function stageSlot(layer: number, component: 'attention_output' | 'mlp_output' | 'token_embedding') {
  return slotValueNames(siteId({ layer, component }));
}
