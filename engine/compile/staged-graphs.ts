// The trace's stages (stages.ts) compiled with slots where a trace writes — the token embedding (noise) in `embed`,
// the attention and MLP outputs (restores) in each block — and taken from the model's graph cache, so a second trace
// compiles nothing. Stage: compile (for the trace).
import { throwIfAborted } from '../errors.js';
import type { LoadedModel } from '../load/load-model.js';
import type { ExecutionProvider } from '../runtime/ort-runtime.js';
import { graphCache, type CompiledGraph } from './graph-cache.js';
import type { SlotSpec } from './instrument.js';
import { cutStages, stageNamesOf, type StageNames, type StageProtos } from './stages.js';

export interface StagedGraphs {
  names: StageNames;
  embed: CompiledGraph;
  blocks: CompiledGraph[];
  /** Keys and values of the last block only (see StageProtos.lastKv). */
  lastKv: CompiledGraph;
  head: CompiledGraph;
  /** Lets the cache evict these stages again (they stay cached for the next trace). */
  release(): void;
}

export interface StageCompileIo {
  /** Called after each stage, cached or compiled. */
  onStage?: (done: number, total: number) => void;
  signal?: AbortSignal;
  provider?: ExecutionProvider;
}

const blockSlots = (l: number): SlotSpec[] => [
  { site: { layer: l, component: 'attention_output' }, kind: 'affine' },
  { site: { layer: l, component: 'mlp_output' }, kind: 'affine' },
];

/** Compiles (or takes from the cache) every stage, pinned until release(); throws CONFIG_UNSUPPORTED for graphs
 *  that cannot be cut. */
export async function compileStages(model: LoadedModel, io: StageCompileIo = {}): Promise<StagedGraphs> {
  const names = stageNamesOf(model);
  const n = model.info.dims.nLayers;
  const cache = graphCache(model);
  let protos: StageProtos | undefined; // cut only when a stage is not cached
  const cut = () => (protos ??= cutStages(model));
  const got: CompiledGraph[] = [];
  const take = async (what: string, specs: SlotSpec[], pick: (p: StageProtos) => StageProtos['embed']) => {
    throwIfAborted(io.signal);
    const graph = await cache.compiled(`trace/${what}`, specs, () => pick(cut()), { provider: io.provider, pin: true });
    got.push(graph);
    io.onStage?.(got.length, n + 3);
    return graph;
  };
  try {
    const embed = await take('embed', [{ site: { layer: 0, component: 'token_embedding' }, kind: 'affine' }], (p) => p.embed);
    const blocks: CompiledGraph[] = [];
    for (let l = 0; l < n; l++) blocks.push(await take(`block ${l}`, blockSlots(l), (p) => p.blocks[l]!));
    const lastKv = await take('last kv', [], (p) => p.lastKv);
    const head = await take('head', [], (p) => p.head);
    return { names, embed, blocks, lastKv, head, release: () => got.forEach((g) => cache.unpin(g)) };
  } catch (e) {
    got.forEach((g) => cache.unpin(g));
    throw e;
  }
}
