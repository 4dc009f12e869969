// Quick things are not queued behind slow things: a next-token forward pass with priority 'high' answers while a
// causal trace runs (after at most the trace's current run), and aborting a trace stops it within a second.
// Model: the bundled gpt2-facts (6 layers), native runtime.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { causalTrace } from '../causal-trace.js';
import type { LoadedModel } from '../../load/load-model.js';
import { openModel } from '../../load/open-model.js';
import { bundledIds, nodeResolver } from '../../load/node-resolver.js';
import { configureRuntime } from '../../runtime/ort-runtime.js';
import { forward } from '../../run/forward.js';
import { graphCache } from '../../compile/graph-cache.js';
import type { TraceProgress } from '../causal-trace.js';

const PROMPT = 'The Eiffel Tower is located in the city of';

describe('a running trace and the things people wait for', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    configureRuntime({ provider: 'wasm', numThreads: 1, runtime: 'native' });
    model = await openModel('gpt2-facts', nodeResolver, { bundledIds: bundledIds() });
  });
  afterAll(async () => { await graphCache(model).clear(); });

  it('a high-priority preview answers after at most one more run of the trace', async () => {
    const ids = model.tokenizer!.encode(PROMPT);
    const plain = await graphCache(model).get([]);
    let cellBatches = 0;
    let started!: () => void;
    const inCells = new Promise<void>((r) => { started = r; });
    const onProgress = (p: TraceProgress) => {
      if (p.stage !== 'cells') return;
      cellBatches = p.done;
      if (p.done === 1) started();
    };
    // batchRows = samples: one branch per run, so the trace makes many small runs
    const trace = causalTrace(model, { prompt: PROMPT, subject: 'Eiffel Tower', kinds: ['mlp'], samples: 2, batchRows: 2 }, { onProgress });
    await inCells;
    const asked = cellBatches;
    const preview = await forward(model, plain, { ids: [ids], logits: 'last', priority: 'high' });
    const previewAt = cellBatches;
    const result = await trace;
    expect(preview.logits!.dims).toEqual([1, model.info.dims.vocabSize]);
    expect(previewAt - asked).toBeLessThanOrEqual(1);
    expect(result.stats.batches).toBeGreaterThan(previewAt + 10); // the trace went on long after the preview
  });

  it('an aborted trace stops within a second', async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    const onProgress = (p: TraceProgress) => {
      if (p.stage === 'cells' && p.done === 2 && !abortedAt) {
        abortedAt = performance.now();
        controller.abort();
      }
    };
    const run = causalTrace(model, { prompt: PROMPT, subject: 'Eiffel Tower', samples: 2, batchRows: 2 }, { onProgress, signal: controller.signal });
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    expect(abortedAt).toBeGreaterThan(0);
    expect(performance.now() - abortedAt).toBeLessThan(1000);
  });
});
