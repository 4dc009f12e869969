import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphCache } from '../../compile/graph-cache.js';
import type { LoadedModel } from '../../load/load-model.js';
import { bundledIds, nodeResolver } from '../../load/node-resolver.js';
import { openModel } from '../../load/open-model.js';
import { configureRuntime } from '../../runtime/ort-runtime.js';
import { causalTrace } from '../causal-trace.js';
import { warmUpTrace } from './warm-up.js';

describe('warmUpTrace (the background trace after a small model opens)', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    configureRuntime({ provider: 'wasm', numThreads: 1 });
    model = await openModel('gpt2-facts', nodeResolver, { bundledIds: bundledIds() });
  });
  afterAll(async () => { await graphCache(model).clear(); });

  it('stops with ABORTED when its signal fires, and leaves the stages for the first trace to take from the cache', async () => {
    const stop = new AbortController();
    stop.abort();
    await expect(warmUpTrace(model, stop.signal)).rejects.toMatchObject({ code: 'ABORTED' });
    await warmUpTrace(model);
    const before = graphCache(model).stats;
    const r = await causalTrace(model, { prompt: 'The Eiffel Tower is located in the city of', subject: 'Eiffel Tower', samples: 2, window: 2 });
    expect(graphCache(model).stats.compiles).toBe(before.compiles); // every stage came from the cache
    expect(r.stats.strategy).toBe('staged');
  });
});
