// One forward pass of a compiled graph over a batch of token rows, with slot feeds. Binds the export's inputs by
// name (bind-inputs.ts: input_ids, attention_mask, position_ids, empty past_key_values.*), feeds neutral values to
// slots it is not given, and returns the requested outputs. Stage: runs.
import type { LoadedModel } from '../load/load-model.js';
import type { CompiledGraph } from '../compile/graph-cache.js';
import { parseSiteId, siteId, siteIdOfSlotValue, slotValueNames } from '../sites/site-id.js';
import { rowGeometry } from '../sites/row-geometry.js';
import { PatchbayError, throwIfAborted } from '../errors.js';
import type { FeedValue, RunPriority } from '../runtime/ort-runtime.js';
import type { FloatTensor } from '../runtime/tensor.js';
import { standardFeed } from './bind-inputs.js';
import { forwardRowByRow } from './row-by-row.js';
import { checkContext } from './context-check.js';

export interface ForwardRequest {
  /** Token ids, one row per batch element; all rows the same length. */
  ids: number[][];
  /** Slot inputs by graph input name (see slotValueNames); missing ones are neutral. */
  feeds?: Record<string, FloatTensor>;
  /** Site ids whose values to return (each must have a slot in the compiled graph). */
  collect?: string[];
  /** Return logits for every position ('all'), only the last position ('last', [B, V]), or none. */
  logits?: 'all' | 'last' | 'none';
  /** 'high' for quick answers a person waits for (the next-token preview): they go before a trace's queued runs. */
  priority?: RunPriority;
  signal?: AbortSignal;
}

export interface ForwardResult {
  /** [B, S, V] for 'all', [B, V] for 'last'. */
  logits?: FloatTensor;
  /** Site id → value before that site's slot, in the component's layout. */
  collected: Record<string, FloatTensor>;
}

const NEUTRAL: FloatTensor = { data: new Float32Array(1), dims: [1] };

export async function forward(model: LoadedModel, graph: CompiledGraph, req: ForwardRequest): Promise<ForwardResult> {
  throwIfAborted(req.signal);
  const batch = req.ids.length;
  const seq = req.ids[0]?.length ?? 0;
  if (batch === 0 || seq === 0) throw new PatchbayError('INPUT_INVALID', 'the input has no tokens');
  if (req.ids.some((r) => r.length !== seq)) throw new PatchbayError('INPUT_INVALID', 'all rows of a batch must have the same number of tokens');
  checkContext(model.info.dims, seq);
  const fixed = model.info.graph.fixedInputShape;
  if (fixed && fixed[0] === 1 && batch > 1 && fixed[1] === seq) return forwardRowByRow(req, (r) => forward(model, graph, r));
  if (fixed && (fixed[0] !== batch || fixed[1] !== seq)) {
    throw new PatchbayError('INPUT_SHAPE_FIXED',
      `this export only runs prompts of exactly ${fixed[1]} tokens${fixed[0] === 1 ? '' : ` in batches of ${fixed[0]}`} (it was exported with ` +
      `fixed shapes), but ${batch} row${batch === 1 ? '' : 's'} of ${seq} tokens were given: re-export with dynamic batch and sequence axes`);
  }
  const vocab = model.info.dims.vocabSize;
  for (const row of req.ids) {
    const bad = row.find((id) => !Number.isInteger(id) || id < 0 || id >= vocab);
    if (bad !== undefined) throw new PatchbayError('INPUT_INVALID', `token id ${bad} is outside the vocabulary (0–${vocab - 1})`);
  }
  const feeds: Record<string, FeedValue> = {};
  const session = graph.session;
  for (const name of session.inputNames) {
    const std = standardFeed(model, name, { ids: req.ids });
    if (std) feeds[name] = std;
    else if (name.startsWith('patchbay.')) feeds[name] = req.feeds?.[name] ?? neutralFeed(model, name, seq);
    else throw new PatchbayError('MODEL_LAYOUT_UNSUPPORTED', `the graph needs an input "${name}" that Patchbay does not know how to feed`);
  }
  for (const name of Object.keys(req.feeds ?? {})) {
    if (!(name in feeds)) throw new PatchbayError('SITE_UNKNOWN', `feed ${name} has no slot in the compiled graph`);
  }
  const fetches: string[] = [];
  const wantLogits = req.logits ?? 'last';
  if (wantLogits !== 'none') fetches.push('logits');
  const collect = req.collect ?? [];
  const compiledSites = new Set(graph.specs.map((s) => siteId(s.site)));
  for (const id of collect) {
    if (!compiledSites.has(id)) throw new PatchbayError('SITE_UNKNOWN', `site ${id} was not compiled into this graph`);
    fetches.push(slotValueNames(id).value);
  }
  const out = await session.run(feeds, fetches, req.priority);
  throwIfAborted(req.signal);
  const result: ForwardResult = { collected: {} };
  if (wantLogits !== 'none') result.logits = wantLogits === 'last' ? lastPosition(out.logits!) : out.logits;
  for (const id of collect) result.collected[id] = out[slotValueNames(id).value]!;
  return result;
}

/** A feed that leaves its slot idle. Projection bases must still fit the MatMul: [F, 1] and [1, F] zeros. */
function neutralFeed(model: LoadedModel, name: string, seq: number): FloatTensor {
  const isU = name.endsWith('.u');
  if (!isU && !name.endsWith('.vt')) return NEUTRAL;
  const site = parseSiteId(siteIdOfSlotValue(name) ?? '');
  if (!site) return NEUTRAL;
  const g = rowGeometry(site.component, model.info.dims, seq);
  const f = /\.j\d+\.(u|vt)$/.test(name) ? g.size : g.features; // joint terms span a whole flattened row
  return { data: new Float32Array(f), dims: isU ? [f, 1] : [1, f] };
}

/** [B, S, V] → [B, V] at the last position. */
export function lastPosition(t: FloatTensor): FloatTensor {
  const [b, s, v] = t.dims as [number, number, number];
  const data = new Float32Array(b * v);
  for (let i = 0; i < b; i++) data.set(t.data.subarray((i * s + s - 1) * v, (i * s + s) * v), i * v);
  return { data, dims: [b, v] };
}
