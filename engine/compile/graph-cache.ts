// Compiled graphs and their onnxruntime sessions, cached per model by what was compiled (the whole graph or a trace
// stage, and the slot set), the runtime and the execution provider, within a byte budget: the least recently used
// unpinned session is released first. A sweep or a second trace compiles nothing. Stage: compile → runtime.
import type { LoadedModel } from '../load/load-model.js';
import type { ModelProto } from '../onnx/onnx-schema.js';
import { encodeForRuntime } from '../onnx/model-file.js';
import { Session, runtimeKind, runtimeSettings, type ExecutionProvider } from '../runtime/ort-runtime.js';
import { instrument, slotsKey, type SlotSpec } from './instrument.js';

export interface CompiledGraph {
  key: string;
  specs: SlotSpec[];
  session: Session;
  /** Weights and graph bytes the session holds (an estimate: onnxruntime copies the weights it uses). */
  bytes: number;
}

export interface GraphCacheStats {
  /** Graphs instrumented and sessions created (misses). */
  compiles: number;
  hits: number;
  evictions: number;
  /** Bytes of the sessions held now. */
  bytes: number;
  entries: number;
}

export interface CompileOptions {
  provider?: ExecutionProvider;
  /** A pinned graph is never evicted until unpin(); runners pin the stages they are using. */
  pin?: boolean;
}

/** 1 GiB: GPT-2 small's trace stages plus its whole graph. Pinned graphs may exceed it for as long as they are used. */
export const DEFAULT_CACHE_BYTES = 2 ** 30;

interface Entry {
  graph: Promise<CompiledGraph>;
  bytes: number;
  pins: number;
  used: number;
}

export class GraphCache {
  private readonly entries = new Map<string, Entry>();
  private clock = 0;
  private readonly counts = { compiles: 0, hits: 0, evictions: 0 };

  constructor(private readonly model: LoadedModel, private budget = DEFAULT_CACHE_BYTES) {}

  /** The whole model with slots at `specs`. */
  get(specs: SlotSpec[], provider?: ExecutionProvider): Promise<CompiledGraph> {
    return this.compiled('graph', specs, () => this.model.decoded.proto, { provider });
  }

  /**
   * A graph derived from the model (`what` names it: 'graph', 'trace/block 3', …) with slots at `specs`. `base` is
   * called only when the graph is not cached.
   */
  compiled(what: string, specs: SlotSpec[], base: () => ModelProto, opts: CompileOptions = {}): Promise<CompiledGraph> {
    const provider = opts.provider ?? runtimeSettings().provider;
    const key = `${runtimeKind()}|${provider}|${what}|${slotsKey(specs)}`;
    let entry = this.entries.get(key);
    if (entry) this.counts.hits++;
    else {
      this.counts.compiles++;
      const created: Entry = { graph: this.compile(key, specs, base, provider), bytes: 0, pins: 0, used: 0 };
      entry = created;
      this.entries.set(key, created);
      created.graph.then((g) => { created.bytes = g.bytes; void this.evict(); }, () => this.entries.delete(key));
    }
    entry.used = ++this.clock;
    if (opts.pin) entry.pins++;
    return entry.graph;
  }

  /** Lets a pinned graph be evicted again. */
  unpin(graph: CompiledGraph): void {
    const entry = this.entries.get(graph.key);
    if (entry && entry.pins > 0) entry.pins--;
    void this.evict();
  }

  get stats(): GraphCacheStats {
    const bytes = [...this.entries.values()].reduce((s, e) => s + e.bytes, 0);
    return { ...this.counts, bytes, entries: this.entries.size };
  }

  setBudget(bytes: number): Promise<void> {
    this.budget = bytes;
    return this.evict();
  }

  /** Releases every session (switching providers, unloading a model). */
  async clear(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map(async (e) => (await e.graph.catch(() => undefined))?.session.release()));
  }

  private async compile(key: string, specs: SlotSpec[], base: () => ModelProto, provider: ExecutionProvider): Promise<CompiledGraph> {
    const m = this.model;
    const proto = instrument(base(), m.sites, m.info.dims, specs);
    const runtime = encodeForRuntime(m.decoded, proto);
    const session = await Session.create(runtime, { provider });
    return { key, specs, session, bytes: weightBytes(proto) + runtime.graphBytes.byteLength };
  }

  /** Releases least recently used, unpinned, compiled sessions until the total fits the budget. */
  private async evict(): Promise<void> {
    let total = [...this.entries.values()].reduce((s, e) => s + e.bytes, 0);
    const candidates = [...this.entries].filter(([, e]) => e.pins === 0 && e.bytes > 0).sort((a, b) => a[1].used - b[1].used);
    const released: Promise<void>[] = [];
    for (const [key, e] of candidates) {
      if (total <= this.budget) break;
      this.entries.delete(key);
      total -= e.bytes;
      this.counts.evictions++;
      released.push(e.graph.then((g) => g.session.release()));
    }
    await Promise.all(released);
  }
}

/** Bytes of the initializers a graph uses (inline or as external data). */
function weightBytes(proto: ModelProto): number {
  let bytes = 0;
  for (const t of proto.graph.initializer) {
    const ext = t.external_data?.find((kv) => kv.key === 'length');
    bytes += ext ? Number(ext.value) : t.raw_data?.byteLength ?? 0;
  }
  return bytes;
}

const caches = new WeakMap<LoadedModel, GraphCache>();

/** The model's graph cache (one per loaded model; it goes when the model goes, after clear() releases sessions). */
export function graphCache(model: LoadedModel): GraphCache {
  let cache = caches.get(model);
  if (!cache) {
    cache = new GraphCache(model);
    caches.set(model, cache);
  }
  return cache;
}
