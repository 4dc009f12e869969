// One decoding step through a compiled graph: new tokens in, logits at the last position and (where the export has
// a key/value cache) the presents out, which the next step feeds back as `past_key_values.*`. Stage: runs
// (generation). Inputs are bound by name (run/bind-inputs.ts), each layer's past from the previous step's present.
import { PatchbayError, throwIfAborted } from '../../errors.js';
import type { LoadedModel } from '../../load/load-model.js';
import type { CompiledGraph } from '../../compile/graph-cache.js';
import type { FeedValue } from '../../runtime/ort-runtime.js';
import type { FloatTensor } from '../../runtime/tensor.js';
import { parseSiteId, siteIdOfSlotValue } from '../../sites/site-id.js';
import { rowGeometry } from '../../sites/row-geometry.js';
import { lastPosition } from '../../run/forward.js';
import { standardFeed } from '../../run/bind-inputs.js';

/** Per cache input name (`past_key_values.3.key`), the matching output (`present.3.key`). */
export type CacheNames = Map<string, string>;

/** The cache pairs of a compiled graph, or null when it has none (legacy merged decoders lose it when flattened). */
export function cacheNames(graph: CompiledGraph): CacheNames | null {
  const pasts = graph.session.inputNames.filter((n) => n.startsWith('past_key_values.'));
  if (pasts.length === 0) return null;
  const outputs = new Set(graph.session.outputNames);
  const pairs = new Map(pasts.map((p) => [p, p.replace(/^past_key_values\./, 'present.')]));
  return [...pairs.values()].every((o) => outputs.has(o)) ? pairs : null;
}

export interface StepRequest {
  /** The tokens this step processes, one row per batch element. */
  ids: number[][];
  /** Tokens already in the cache (0 on the first step, or always without a cache). */
  pastLength: number;
  /** The previous step's presents by output name; absent = empty past. */
  past?: Record<string, FloatTensor>;
  /** Slot feeds by graph input name; missing ones are neutral. */
  feeds?: Record<string, FloatTensor>;
  cache: CacheNames | null;
  signal?: AbortSignal;
}

export interface StepResult {
  /** [B, V] at the last position. */
  logits: FloatTensor;
  /** The presents by output name (with a cache). */
  present: Record<string, FloatTensor>;
}

export async function decodeStep(model: LoadedModel, graph: CompiledGraph, req: StepRequest): Promise<StepResult> {
  throwIfAborted(req.signal);
  const rows = req.ids.length;
  const seq = req.ids[0]!.length;
  const { nHeads, dHead } = model.info.dims;
  const feeds: Record<string, FeedValue> = {};
  for (const name of graph.session.inputNames) {
    if (name.startsWith('past_key_values.')) {
      const present = req.cache?.get(name);
      feeds[name] = (present && req.past?.[present]) || { data: new Float32Array(0), dims: [rows, nHeads, 0, dHead] };
      continue;
    }
    const std = standardFeed(model, name, { ids: req.ids, pastLength: req.pastLength });
    if (std) feeds[name] = std;
    else if (name.startsWith('patchbay.')) feeds[name] = req.feeds?.[name] ?? neutralFeed(model, name, seq);
    else throw new PatchbayError('MODEL_LAYOUT_UNSUPPORTED', `the graph needs an input "${name}" that Patchbay does not know how to feed`);
  }
  const fetches = ['logits', ...(req.cache ? req.cache.values() : [])];
  const out = await graph.session.run(feeds, fetches);
  throwIfAborted(req.signal);
  const present: Record<string, FloatTensor> = {};
  for (const name of req.cache?.values() ?? []) present[name] = out[name]!;
  return { logits: lastPosition(out.logits!), present };
}

const NEUTRAL: FloatTensor = { data: new Float32Array(1), dims: [1] };

/** A feed that leaves its slot idle; projection bases must still fit their MatMul ([F, 1] and [1, F] zeros). */
function neutralFeed(model: LoadedModel, name: string, seq: number): FloatTensor {
  const isU = name.endsWith('.u');
  if (!isU && !name.endsWith('.vt')) return NEUTRAL;
  const site = parseSiteId(siteIdOfSlotValue(name) ?? '');
  if (!site) return NEUTRAL;
  const g = rowGeometry(site.component, model.info.dims, seq);
  const f = /\.j\d+\.(u|vt)$/.test(name) ? g.size : g.features;
  return { data: new Float32Array(f), dims: isU ? [f, 1] : [1, f] };
}
