// The graph cache: a second trace compiles nothing and gives the same grid; least recently used sessions go first
// when the byte budget is exceeded, pinned ones never; each runtime gets its own sessions. Fixture: tiny GPT-2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../test-support/fixtures.js';
import type { LoadedModel } from '../load/load-model.js';
import { causalTrace } from '../experiments/causal-trace.js';
import { forward } from '../run/forward.js';
import { configureRuntime } from '../runtime/ort-runtime.js';
import { GraphCache, graphCache } from './graph-cache.js';
import type { SlotSpec } from './instrument.js';

const IDS = [11, 402, 87, 650, 3, 999, 140, 21];
const slot = (layer: number): SlotSpec[] => [{ site: { layer, component: 'block_output' }, kind: 'affine' }];

describe('graph cache', () => {
  let model: LoadedModel;
  beforeAll(() => {
    configureRuntime({ provider: 'wasm', numThreads: 1, runtime: 'native' });
    model = loadFixture('tiny-gpt2');
  });
  afterAll(async () => { await graphCache(model).clear(); });

  it('a second trace on the same model compiles nothing and gives the same grid', async () => {
    const opts = { inputIds: IDS, subjectRange: [2, 5] as [number, number], samples: 3, seed: 5 };
    const cache = graphCache(model);
    const first = await causalTrace(model, opts);
    const afterFirst = cache.stats;
    expect(afterFirst.compiles).toBe(model.info.dims.nLayers + 3); // embed, blocks, last keys/values, head
    const second = await causalTrace(model, opts);
    expect(cache.stats.compiles).toBe(afterFirst.compiles);
    expect(cache.stats.hits).toBeGreaterThanOrEqual(afterFirst.hits + model.info.dims.nLayers + 3);
    expect(second.scores).toEqual(first.scores);
  });

  it('the same slot set in any order is one graph; another slot set is another', async () => {
    const cache = new GraphCache(model);
    const both: SlotSpec[] = [...slot(0), ...slot(1)];
    const a = await cache.get(both);
    const b = await cache.get([...both].reverse());
    expect(b).toBe(a);
    expect(await cache.get(slot(0))).not.toBe(a);
    expect(cache.stats).toMatchObject({ compiles: 2, hits: 1, entries: 2 });
    await cache.clear();
  });

  it('evicts the least recently used unpinned graph when over the byte budget', async () => {
    const cache = new GraphCache(model);
    const g0 = await cache.compiled('graph', slot(0), () => model.decoded.proto, { pin: true });
    const g1 = await cache.get(slot(1));
    const one = g1.bytes;
    expect(one).toBeGreaterThan(model.info.bytes / 2); // the weights the session holds
    await cache.setBudget(3.5 * one); // room for three
    await cache.get([]);
    await cache.get(slot(1)); // g1 used again: the plain graph is now the least recently used
    await cache.get([...slot(0), ...slot(1)]); // a fourth: the plain graph goes
    const evictions = cache.stats.evictions;
    expect(evictions).toBe(1);
    expect(cache.stats.entries).toBe(3);
    expect(await cache.get(slot(1))).toBe(g1); // kept
    expect(await cache.compiled('graph', slot(0), () => model.decoded.proto)).toBe(g0); // pinned: kept
    const compiles = cache.stats.compiles;
    await cache.get([]); // evicted: compiled again
    expect(cache.stats.compiles).toBe(compiles + 1);
    // an evicted graph's session is released: running it fails
    cache.unpin(g0);
    await cache.setBudget(0);
    await expect(forward(model, g0, { ids: [IDS] })).rejects.toBeTruthy();
    await cache.clear();
  });

  it('keeps sessions of each runtime apart', async () => {
    const cache = new GraphCache(model);
    const native = await cache.get([]);
    configureRuntime({ provider: 'wasm', numThreads: 1, runtime: 'web' });
    const web = await cache.get([]);
    configureRuntime({ provider: 'wasm', numThreads: 1, runtime: 'native' });
    expect([native.session.runtime, web.session.runtime]).toEqual(['native', 'web']);
    const a = await forward(model, native, { ids: [IDS] });
    const b = await forward(model, web, { ids: [IDS] });
    let diff = 0;
    a.logits!.data.forEach((v, i) => { diff = Math.max(diff, Math.abs(v - b.logits!.data[i]!)); });
    expect(diff).toBeLessThan(1e-4);
    await cache.clear();
  });
});
