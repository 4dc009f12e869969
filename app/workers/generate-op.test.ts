// The worker's generation adapter: the Generate view's settings become the engine's generate(); the steering vector
// is computed once per spec (moving the coefficient only regenerates); the Interventions document runs with the
// prompt as its base.
import { describe, expect, it, vi } from 'vitest';
import { bundledIds, nodeResolver } from '../../engine/load/node-resolver';
import { openModel } from '../../engine/load/open-model';
import { configureRuntime } from '../../engine/runtime/ort-runtime';
import { defaultExperiment } from '../link/schema';
import { runGenerate } from './generate-op';
import { steeringVectors } from '../../engine/experiments/generate/steering';

vi.mock('../../engine/experiments/generate/steering', async (original) => {
  const m = await original<typeof import('../../engine/experiments/generate/steering')>();
  return { ...m, steeringVectors: vi.fn(m.steeringVectors) };
});

describe('runGenerate', () => {
  it('steers with the settings, reuses the vector across coefficients, and runs the Interventions document on the prompt', async () => {
    configureRuntime({ provider: 'wasm', numThreads: 1 });
    const model = await openModel('gpt2-facts', nodeResolver, { bundledIds: bundledIds() });
    const io = { onProgress: () => undefined, signal: new AbortController().signal };
    const g = { ...defaultExperiment().generate, max_new_tokens: 4, stop_at_eos: false };
    const loud = await runGenerate(model, { settings: { ...g, steer: { ...g.steer, coefficient: 8 } } }, io);
    expect(loud.intervened.ids).not.toEqual(loud.original.ids);
    const stages: string[] = [];
    const idle = await runGenerate(model, { settings: { ...g, steer: { ...g.steer, coefficient: 0 } } }, { ...io, onProgress: (p) => stages.push(p.stage) });
    expect(idle.intervened.ids).toEqual(idle.original.ids);
    expect(idle.original.ids).toEqual(loud.original.ids);
    expect(stages).toEqual(['compile', 'token', 'token', 'token', 'token']);
    expect(steeringVectors).toHaveBeenCalledTimes(1);
    const doc = defaultExperiment().intervention;
    const viaDoc = await runGenerate(model, { settings: { ...g, prompt: 'The Colosseum is located in the city of', use: 'intervention' }, intervention: doc }, io);
    expect(viaDoc.prompt_ids).toEqual(model.tokenizer!.encode('The Colosseum is located in the city of'));
    await expect(runGenerate(model, { settings: { ...g, prompt: ' ' } }, io)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });
});
