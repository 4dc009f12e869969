// Runs one compiled trace stage (compile/staged-graphs.ts) on a batch: residual rows in, residual rows out, with the
// export's standard inputs bound as forward() binds them (run/bind-inputs.ts). Stage: runs (for the trace).
import { PatchbayError } from '../../errors.js';
import type { LoadedModel } from '../../load/load-model.js';
import type { CompiledGraph } from '../../compile/graph-cache.js';
import type { StagedGraphs } from '../../compile/staged-graphs.js';
import { ANSWER_INPUT } from '../../compile/stages.js';
import { standardFeed } from '../../run/bind-inputs.js';
import type { FeedValue } from '../../runtime/ort-runtime.js';
import type { FloatTensor } from '../../runtime/tensor.js';
import { siteId, slotValueNames } from '../../sites/site-id.js';

export type { StagedGraphs } from '../../compile/staged-graphs.js';

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

/** Runs one stage on a batch; returns the fetched values by name. */
export function runStage(model: LoadedModel, staged: StagedGraphs, graph: CompiledGraph, run: StageRun): Promise<Record<string, FloatTensor>> {
  const residNames = new Set(staged.names.residual);
  const feeds: Record<string, FeedValue> = {};
  for (const name of graph.session.inputNames) {
    const std = standardFeed(model, name, { ids: run.ids, pastLength: run.pastLength, past: run.past });
    if (std) feeds[name] = std;
    else if (residNames.has(name)) {
      if (!run.resid) throw new PatchbayError('RUNTIME_FAILED', `stage input ${name} (the residual) was not given`);
      feeds[name] = run.resid;
    } else if (name === ANSWER_INPUT) feeds[name] = { int64: BigInt64Array.of(BigInt(run.answer ?? 0)), dims: [1] };
    else if (name.startsWith('patchbay.')) feeds[name] = run.slots?.[name] ?? NEUTRAL;
    else throw new PatchbayError('MODEL_LAYOUT_UNSUPPORTED', `a trace stage needs an input "${name}" that Patchbay does not know how to feed`);
  }
  return graph.session.run(feeds, run.fetch);
}

/** Graph names of the slot feeds and collected value of a site in a stage. */
export function stageSlot(layer: number, component: 'attention_output' | 'mlp_output' | 'token_embedding') {
  return slotValueNames(siteId({ layer, component }));
}
