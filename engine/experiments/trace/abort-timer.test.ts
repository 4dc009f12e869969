// An AbortSignal fired from a timer (Ctrl-C handlers, UI timeouts) stops a causal trace's runs within a second, on
// both Node runtimes: the trace gives the event loop a turn between runs, so the timer fires while it works (it once
// ran three whole traces, 58 s, before a timer's abort got through). The timer is set once the cell runs have begun.
// Model: the bundled gpt2-facts; small batches make many runs, so the trace is surely mid-way when the timer fires.
import { afterAll, describe, expect, it } from 'vitest';
import { causalTrace } from '../causal-trace.js';
import type { LoadedModel } from '../../load/load-model.js';
import { openModel } from '../../load/open-model.js';
import { bundledIds, nodeResolver } from '../../load/node-resolver.js';
import { configureRuntime, type RuntimeKind } from '../../runtime/ort-runtime.js';
import { graphCache } from '../../compile/graph-cache.js';

describe.each<RuntimeKind>(['native', 'web'])('a trace aborted from a timer (%s runtime)', (runtime) => {
  let model: LoadedModel | undefined;
  afterAll(async () => { if (model) await graphCache(model).clear(); });

  it('stops within a second of the abort', async () => {
    configureRuntime({ provider: 'wasm', numThreads: 1, runtime });
    model = await openModel('gpt2-facts', nodeResolver, { bundledIds: bundledIds() });
    const controller = new AbortController();
    let cells = 0;
    let abortedAt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const t0 = performance.now();
    const run = causalTrace(model, { prompt: 'The Eiffel Tower is located in the city of', subject: 'Eiffel Tower', samples: 4, batchRows: 4 },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.stage !== 'cells') return;
          cells = p.done;
          timer ??= setTimeout(() => { abortedAt = performance.now(); controller.abort(); }, 300);
        },
      });
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    const stopped = performance.now();
    console.log(`${runtime}: aborted after ${((abortedAt - t0) / 1000).toFixed(1)} s (${cells} batches done), stopped ${(stopped - abortedAt).toFixed(0)} ms later`);
    expect(abortedAt).toBeGreaterThan(0);
    expect(cells).toBeGreaterThan(0);
    expect(stopped - abortedAt).toBeLessThan(1000);
  });
});
