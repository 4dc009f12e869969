// A prompt longer than the model's context is refused with PROMPT_TOO_LONG before anything runs, in all three
// places an input enters the engine (experiment planning, causal-trace options, forward), for both families; a
// prompt of exactly the context length still runs. Models: the bundled gpt2-facts and pythia-facts (context 128).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatchbayError } from '../errors.js';
import { openModel } from '../load/open-model.js';
import { bundledIds, nodeResolver } from '../load/node-resolver.js';
import type { LoadedModel } from '../load/load-model.js';
import { configureRuntime } from '../runtime/ort-runtime.js';
import { graphCache } from '../compile/graph-cache.js';
import { validateExperiment } from '../experiment/experiment-schema.js';
import { planExperiment } from '../experiment/plan.js';
import { causalTrace } from '../experiments/causal-trace.js';
import { forward } from './forward.js';
import { checkContext } from './context-check.js';

async function code(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof PatchbayError) return e.code;
    throw e;
  }
  return 'no error';
}

describe.each(['gpt2-facts', 'pythia-facts'])('prompts longer than the context of %s', (id) => {
  let model: LoadedModel;
  beforeAll(async () => {
    configureRuntime({ provider: 'wasm', numThreads: 1, runtime: 'native' });
    model = await openModel(id, nodeResolver, { bundledIds: bundledIds() });
  });
  afterAll(async () => { await graphCache(model).clear(); });

  const ids = (n: number) => Array.from({ length: n }, (_, i) => 10 + (i % 50));

  it('knows the context from config.json', () => {
    expect(model.info.dims.contextLength).toBe(128);
  });

  it('planning refuses 129 tokens and names the input', async () => {
    const doc = validateExperiment({ base: { input_ids: ids(129) }, config: { representations: [{ layer: 0, component: 'block_output' }] } });
    if (!doc.ok) throw new Error(JSON.stringify(doc.errors));
    let err: unknown;
    try { planExperiment(model, doc.value); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(PatchbayError);
    expect((err as PatchbayError).code).toBe('PROMPT_TOO_LONG');
    expect((err as PatchbayError).message).toMatch(/^base: the base input is 129 tokens long; this model reads at most 128 tokens .* shorten it by 1 token/);
  });

  it('the causal trace refuses 129 tokens before running (a 5,000-token prompt fails at once)', async () => {
    const t0 = performance.now();
    expect(await code(causalTrace(model, { inputIds: ids(5000), subjectRange: [0, 2], samples: 2 }))).toBe('PROMPT_TOO_LONG');
    expect(await code(causalTrace(model, { inputIds: ids(129), subjectRange: [0, 2], samples: 2 }))).toBe('PROMPT_TOO_LONG');
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('forward refuses 129 tokens, and runs exactly 128', async () => {
    const graph = await graphCache(model).get([]);
    expect(await code(forward(model, graph, { ids: [ids(129)], logits: 'last' }))).toBe('PROMPT_TOO_LONG');
    const out = await forward(model, graph, { ids: [ids(128)], logits: 'last' });
    expect(out.logits!.dims).toEqual([1, model.info.dims.vocabSize]);
  });
});

describe('checkContext', () => {
  it('does not check a model whose context is unknown', async () => {
    expect(await code(() => checkContext({}, 1e6))).toBe('no error');
    expect(await code(() => checkContext({ contextLength: 4 }, 5))).toBe('PROMPT_TOO_LONG');
  });
});
