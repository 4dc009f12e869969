// Forward + backward of an instrumented model as one onnxruntime session: instrument the sites, learn every value's
// rank with one probe run, append the backward graph (compile/backward), and run it with slot feeds and loss
// weights. Stage: compiled graph → runs (training).
import type { LoadedModel } from '../load/load-model.js';
import { instrument, slotsKey, type SlotSpec } from '../compile/instrument.js';
import { graphCache } from '../compile/graph-cache.js';
import { buildBackward, gradName, LOSS, LOSS_WEIGHTS } from '../compile/backward/backward.js';
import type { ValueFact } from '../compile/backward/emitter.js';
import { encodeForRuntime, type DecodedModel } from '../onnx/model-file.js';
import type { ModelProto } from '../onnx/onnx-schema.js';
import { Session, type FeedValue } from '../runtime/ort-runtime.js';
import type { FloatTensor } from '../runtime/tensor.js';
import { standardFeed } from '../run/bind-inputs.js';
import { PatchbayError, throwIfAborted } from '../errors.js';

export interface GradGraph {
  session: Session;
  /** The graph inputs gradients are returned for. */
  wrt: string[];
  /** Rank of each trained input when the graph was built (the feeds must keep them). */
  ranks: Record<string, number>;
  /** The instrumented forward graph (for finite-difference checks and plain runs). */
  forwardProto: ModelProto;
}

export interface GradRequest {
  ids: number[][];
  /** Slot inputs by name: every slot input of the graph must be given. */
  feeds: Record<string, FloatTensor>;
  /** [B, S, V] loss weights (see backward.ts); build them with `lastTokenWeights`. */
  weights: FloatTensor;
  signal?: AbortSignal;
}

export interface GradResult {
  loss: number;
  grads: Record<string, FloatTensor>;
  /** [B, S, V] */
  logits: FloatTensor;
}

/** Builds the graph with slots at `specs` and gradients for `wrt`; `example` are feeds with the shapes training uses. */
export async function compileGradGraph(model: LoadedModel, specs: SlotSpec[], wrt: string[], example: Omit<GradRequest, 'weights'>): Promise<GradGraph> {
  const forwardProto = instrument(model.decoded.proto, model.sites, model.info.dims, specs);
  const probe = (names: readonly string[]) => bindFeeds(model, names, example.ids, example.feeds);
  return gradGraphOf(model.decoded, forwardProto, wrt, probe);
}

/** The backward graph of any forward graph whose output `logits` is [B, S, V]; `probeFeeds` binds a probe run. */
export async function gradGraphOf(decoded: DecodedModel, forwardProto: ModelProto, wrt: string[],
  probeFeeds: (inputNames: readonly string[]) => Record<string, FeedValue>): Promise<GradGraph> {
  const facts = await probeFacts(decoded, forwardProto, probeFeeds);
  const proto = buildBackward(forwardProto, { wrt }, facts);
  const session = await Session.create(encodeForRuntime(decoded, proto));
  const ranks = Object.fromEntries(wrt.map((w) => [w, facts.get(w)!.rank]));
  return { session, wrt, ranks, forwardProto };
}

/** Backward graphs per model, by slot set, trained inputs and feed ranks: plain data (the session lives in the
 *  model's graph cache, within its byte budget, and goes when the cache is cleared). Building one costs a probe run
 *  of the forward graph with every value fetched and two session creations: most of a training run's first step. */
const backwardProtos = new WeakMap<LoadedModel, Map<string, Promise<{ proto: ModelProto; ranks: Record<string, number>; forwardProto: ModelProto }>>>();
const MAX_BACKWARD_PROTOS = 8;

/** compileGradGraph through the caches: a second training run or attribution on the same sites builds nothing. The
 *  graph is pinned in the graph cache until `release()`; the caller must not release the session itself. */
export async function cachedGradGraph(model: LoadedModel, specs: SlotSpec[], wrt: string[], example: Omit<GradRequest, 'weights'>): Promise<GradGraph & { release: () => void }> {
  const ranks = Object.entries(example.feeds).map(([k, v]) => `${k}:${v.dims.length}`).sort().join(',');
  const key = `${slotsKey(specs)}|${[...wrt].sort().join(',')}|${ranks}`;
  let byKey = backwardProtos.get(model);
  if (!byKey) backwardProtos.set(model, (byKey = new Map()));
  let built = byKey.get(key);
  if (!built) {
    built = (async () => {
      const forwardProto = instrument(model.decoded.proto, model.sites, model.info.dims, specs);
      const facts = await probeFacts(model.decoded, forwardProto, (names) => bindFeeds(model, names, example.ids, example.feeds));
      return { proto: buildBackward(forwardProto, { wrt }, facts), ranks: Object.fromEntries(wrt.map((w) => [w, facts.get(w)!.rank])), forwardProto };
    })();
    byKey.set(key, built);
    built.catch(() => byKey.delete(key));
    if (byKey.size > MAX_BACKWARD_PROTOS) byKey.delete(byKey.keys().next().value!);
  }
  const b = await built;
  const cache = graphCache(model);
  const graph = await cache.compiled(`backward|${key}`, [], () => b.proto, { pin: true });
  return { session: graph.session, wrt, ranks: b.ranks, forwardProto: b.forwardProto, release: () => cache.unpin(graph) };
}

export async function runGrad(model: LoadedModel, gg: GradGraph, req: GradRequest): Promise<GradResult> {
  throwIfAborted(req.signal);
  const out = await runGradFeeds(gg, bindFeeds(model, gg.session.inputNames, req.ids, req.feeds), req.weights);
  throwIfAborted(req.signal);
  return out;
}

/** One forward + backward run with every input bound (slot feeds and token inputs). */
export async function runGradFeeds(gg: GradGraph, feeds: Record<string, FeedValue>, weights: FloatTensor): Promise<GradResult> {
  for (const w of gg.wrt) {
    const f = feeds[w];
    if (!f || f.dims.length !== gg.ranks[w]) throw new PatchbayError('TRAINING_INVALID', `trained input ${w} must be fed with rank ${gg.ranks[w]} (got ${f ? f.dims.length : 'nothing'})`);
  }
  const out = await gg.session.run({ ...feeds, [LOSS_WEIGHTS]: weights }, [LOSS, 'logits', ...gg.wrt.map(gradName)]);
  const grads = Object.fromEntries(gg.wrt.map((w) => [w, out[gradName(w)]!]));
  return { loss: out[LOSS]!.data[0]!, grads, logits: out.logits! };
}

/** Loss weights that score `labels[b]` at the last position of row b, averaged over rows: [B, S, V]. */
export function lastTokenWeights(rows: number, seq: number, vocab: number, labels: number[]): FloatTensor {
  const data = new Float32Array(rows * seq * vocab);
  labels.forEach((label, b) => { data[(b * seq + seq - 1) * vocab + label] = 1 / rows; });
  return { data, dims: [rows, seq, vocab] };
}

export function bindFeeds(model: LoadedModel, inputNames: readonly string[], ids: number[][], slotFeeds: Record<string, FloatTensor>): Record<string, FeedValue> {
  const feeds: Record<string, FeedValue> = {};
  for (const name of inputNames) {
    if (name === LOSS_WEIGHTS) continue;
    const std = standardFeed(model, name, { ids });
    if (std) feeds[name] = std;
    else if (slotFeeds[name]) feeds[name] = slotFeeds[name];
    else throw new PatchbayError('TRAINING_INVALID', `the training graph needs a feed for ${name}`);
  }
  return feeds;
}

/** Runs the forward graph once with every node output fetched, to learn ranks and which values are float32. */
async function probeFacts(decoded: DecodedModel, proto: ModelProto, probeFeeds: (inputNames: readonly string[]) => Record<string, FeedValue>): Promise<Map<string, ValueFact>> {
  const names = new Set<string>();
  for (const n of proto.graph.node) for (const o of n.output) if (o) names.add(o);
  const known = new Set(proto.graph.output.map((o) => o.name));
  const extra = [...names].filter((n) => !known.has(n));
  const probe: ModelProto = {
    ...proto,
    graph: { ...proto.graph, output: [...proto.graph.output, ...extra.map((name) => ({ name }))] },
  };
  const session = await Session.create(encodeForRuntime(decoded, probe));
  try {
    const feeds = probeFeeds(session.inputNames);
    const out = await session.run(feeds, [...names].filter((n) => session.outputNames.includes(n)));
    const facts = new Map<string, ValueFact>();
    for (const [name, t] of Object.entries(out)) facts.set(name, { rank: t.dims.length, float: t.data instanceof Float32Array });
    for (const [name, f] of Object.entries(feeds)) facts.set(name, { rank: f.dims.length, float: 'data' in f && f.data instanceof Float32Array });
    for (const init of proto.graph.initializer) if (!facts.has(init.name)) facts.set(init.name, { rank: init.dims.length, float: init.data_type === 1 });
    return facts;
  } finally {
    await session.release();
  }
}
