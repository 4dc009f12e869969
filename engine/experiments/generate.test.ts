// Generation with interventions: the key/value-cache path equals full recompute token for token; coefficient 0
// reproduces the original; a steered continuation equals a plain re-implementation (full recompute each step through
// run/forward with the constant addition written into the slot by hand, argmax) for each intervene_on mode; the first
// steered token matches PyTorch's steer_block_out logits.
import { describe, expect, it } from 'vitest';
import { fixtureReference, loadFixture } from '../test-support/fixtures.js';
import { bundledIds, nodeResolver } from '../load/node-resolver.js';
import { openModel } from '../load/open-model.js';
import type { LoadedModel } from '../load/load-model.js';
import { forward } from '../run/forward.js';
import { softmax } from '../experiment/top-k.js';
import { validateExperiment, type ExperimentDoc, type ExperimentInput } from '../experiment/experiment-schema.js';
import { generate, type GenerateOptions, type InterveneOn } from './generate.js';
import { runExperiment } from '../experiment/run-experiment.js';
import { graphCache } from '../compile/graph-cache.js';

const ref = fixtureReference('tiny-gpt2');
const PROMPT = ref.input_ids[0]!; // [11, 450, 7, 999]
const STEER = ref.interventions.steer_block_out.steer_vector; // 0.5·sin(i), added to the layer-0 block output

function doc(input: ExperimentInput): ExperimentDoc {
  const v = validateExperiment(input);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.value;
}

function steerDoc(prompt: number[], vector: number[], coefficient: number, layer = 0): ExperimentDoc {
  return doc({
    base: { input_ids: prompt },
    config: { representations: [{ layer, component: 'block_output', intervention_type: 'AdditionIntervention', source_representation: vector.map((v) => v * coefficient) }] },
    unit_locations: { base: [[prompt.map((_, i) => i)]] },
  });
}

/** The plain re-implementation: full recompute each step, delta written by hand at the positions intervene_on names. */
async function plainSteered(model: LoadedModel, prompt: number[], vector: number[], steps: number, on: InterveneOn): Promise<number[]> {
  const graph = await graphCache(model).get([{ site: { layer: 0, component: 'block_output' }, kind: 'affine' }]);
  const ids = [...prompt];
  const d = model.info.dims.dModel;
  const V = model.info.dims.vocabSize;
  for (let s = 0; s < steps; s++) {
    const delta = new Float32Array(ids.length * d);
    for (let p = 0; p < ids.length; p++) {
      const promptPos = p < prompt.length;
      const decodingPos = p >= prompt.length - 1;
      if ((on !== 'generated' && promptPos) || (on !== 'prompt' && decodingPos)) delta.set(vector, p * d);
    }
    const out = await forward(model, graph, { ids: [ids], feeds: { 'patchbay.L0.block_output.delta': { data: delta, dims: [1, ids.length, d] } }, logits: 'last' });
    let best = 0;
    for (let v = 1; v < V; v++) if (out.logits!.data[v]! > out.logits!.data[best]!) best = v;
    ids.push(best);
  }
  return ids.slice(prompt.length);
}

const greedy = (on: InterveneOn, n = 8): GenerateOptions => ({ maxNewTokens: n, interveneOn: on });

describe('generate', () => {
  for (const family of ['tiny-gpt2', 'tiny-gpt-neox']) {
    it(`${family}: the cached path equals full recompute token for token (greedy and sampled)`, async () => {
      const model = loadFixture(family);
      const d = steerDoc(PROMPT, STEER, 3);
      for (const opts of [greedy('both'), { ...greedy('generated'), temperature: 1.2, topK: 50, topP: 0.95, seed: 5 }]) {
        const cached = await generate(model, d, opts);
        const full = await generate(model, d, { ...opts, cache: 'off' });
        expect(cached.cached).toBe(true);
        expect(full.cached).toBe(false);
        expect(cached.original.ids).toEqual(full.original.ids);
        expect(cached.intervened.ids).toEqual(full.intervened.ids);
        cached.intervened.tokens.forEach((t, i) => expect(Math.abs(t.prob - full.intervened.tokens[i]!.prob)).toBeLessThan(1e-4));
      }
    });
  }

  it('coefficient 0 reproduces the original continuation exactly; a large one changes it', async () => {
    const model = loadFixture('tiny-gpt2');
    const idle = await generate(model, steerDoc(PROMPT, STEER, 0), { ...greedy('both', 10), temperature: 1, seed: 3 });
    expect(idle.intervened.ids).toEqual(idle.original.ids);
    expect(idle.intervened.tokens.map((t) => t.prob)).toEqual(idle.original.tokens.map((t) => t.prob));
    const loud = await generate(model, steerDoc(PROMPT, STEER, 40), greedy('both', 10));
    expect(loud.intervened.ids).not.toEqual(loud.original.ids);
  });

  for (const on of ['prompt', 'generated', 'both'] as const) {
    it(`intervene_on ${on}: equals the plain re-implementation token for token`, async () => {
      const model = loadFixture('tiny-gpt2');
      const vector = STEER.map((v) => 8 * v);
      const got = await generate(model, steerDoc(PROMPT, vector, 1), greedy(on, 10));
      expect(got.intervened.ids).toEqual(await plainSteered(model, PROMPT, vector, 10, on));
      expect(got.original.ids).toEqual(await plainSteered(model, PROMPT, vector.map(() => 0), 10, on));
    });
  }

  it('the first steered token agrees with PyTorch (steer_block_out logits, fp32 1e-4)', async () => {
    const model = loadFixture('tiny-gpt2');
    const got = await generate(model, steerDoc(PROMPT, STEER, 1), greedy('prompt', 1));
    const last = ref.interventions.steer_block_out.logits[0]!.at(-1)!;
    const argmax = last.indexOf(Math.max(...last));
    expect(got.intervened.ids).toEqual([argmax]);
    expect(Math.abs(got.intervened.tokens[0]!.prob - softmax(last)[argmax]!)).toBeLessThan(1e-4);
  });

  it('head units and interchange from a source follow the decoding positions the same way with and without the cache', async () => {
    const model = loadFixture('tiny-gpt-neox');
    const d = doc({
      base: { input_ids: PROMPT },
      sources: [{ input_ids: [5, 6, 7] }],
      config: { representations: [
        { layer: 1, component: 'head_attention_value_output', unit: 'h', intervention_type: 'ZeroIntervention' },
        { layer: 0, component: 'mlp_output', intervention_type: 'VanillaIntervention' },
      ] },
      unit_locations: { 'sources->base': [[[[2]], [[1]]], [[[2]], [[1]]]] }, // zero head 2; source pos 1 → base pos 1
    });
    const cached = await generate(model, d, greedy('both', 6));
    const full = await generate(model, d, { ...greedy('both', 6), cache: 'off' });
    expect(cached.intervened.tokens.map((t) => t.prob)).not.toEqual(cached.original.tokens.map((t) => t.prob));
    expect(cached.intervened.ids).toEqual(full.intervened.ids);
    cached.intervened.tokens.forEach((t, i) => expect(Math.abs(t.prob - full.intervened.tokens[i]!.prob)).toBeLessThan(1e-4));
  });

  it('legacy merged decoders recompute; bad options and components fail with codes', async () => {
    const merged = loadFixture('tiny-gpt2', 'decoder_model_merged.onnx');
    const r = await generate(merged, steerDoc(PROMPT, STEER, 3), greedy('both', 4));
    const plain = await generate(loadFixture('tiny-gpt2'), steerDoc(PROMPT, STEER, 3), greedy('both', 4));
    expect(r.cached).toBe(false);
    expect(r.intervened.ids).toEqual(plain.intervened.ids);
    const model = loadFixture('tiny-gpt2');
    await expect(generate(model, steerDoc(PROMPT, STEER, 1), { ...greedy('both'), topP: 2 })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    const weights = doc({ base: { input_ids: PROMPT }, config: { representations: [{ layer: 0, component: 'attention_weight', unit: 'h', intervention_type: 'ZeroIntervention' }] }, unit_locations: { base: 1 } });
    await expect(generate(model, weights, greedy('both'))).rejects.toMatchObject({ code: 'CONFIG_UNSUPPORTED' });
  });

  for (const id of bundledIds().filter((m) => m !== 'gru-recall')) {
    it(`bundled ${id}: cached equals recompute on a steering preset`, async () => {
      const model = await openModel(id, nodeResolver, { bundledIds: bundledIds() });
      const prompt = model.tokenizer!.encode('John opened the letter and felt');
      const vector = Array.from({ length: model.info.dims.dModel }, (_, i) => Math.cos(i));
      const d = steerDoc(prompt, vector, 2, 1);
      const cached = await generate(model, d, greedy('both', 8));
      const full = await generate(model, d, { ...greedy('both', 8), cache: 'off' });
      expect(cached.original.ids).toEqual(full.original.ids);
      expect(cached.intervened.ids).toEqual(full.intervened.ids);
      expect(cached.original.text).toBe(model.tokenizer!.decode(cached.original.ids));
    });
  }
});

describe('generate: any experiment document', () => {
  it('the first token of a prompt-only generation is run\'s intervened prediction (parallel and serial documents)', async () => {
    const model = loadFixture('tiny-gpt2');
    const parallel = doc({
      base: { input_ids: PROMPT }, sources: [{ input_ids: [5, 6, 7, 8] }],
      config: { representations: [{ layer: 1, component: 'block_output', intervention_type: 'VanillaIntervention' }] },
      unit_locations: { 'sources->base': 3 },
    });
    const serial = doc({
      base: { input_ids: PROMPT }, sources: [{ input_ids: [5, 6, 7, 8] }, { input_ids: [9, 10, 11, 12] }],
      config: { mode: 'serial', representations: [
        { layer: 0, component: 'block_output', intervention_type: 'VanillaIntervention' },
        { layer: 1, component: 'mlp_output', intervention_type: 'VanillaIntervention' },
      ] },
      unit_locations: { 'source_0->source_1': 2, 'source_1->base': 3 },
    });
    for (const d of [parallel, serial]) {
      const run = await runExperiment(model, d);
      const got = await generate(model, d, greedy('prompt', 3));
      expect(got.intervened.ids[0]).toBe(run.intervened.top_k[0]!.id);
      expect(Math.abs(got.intervened.tokens[0]!.prob - run.intervened.top_k[0]!.prob)).toBeLessThan(1e-5);
      expect(got.original.ids[0]).toBe(run.original.top_k[0]!.id);
      const full = await generate(model, d, { ...greedy('both', 5), cache: 'off' });
      expect((await generate(model, d, greedy('both', 5))).intervened.ids).toEqual(full.intervened.ids);
    }
  });
});

describe('generate: stop tokens', () => {
  it('a continuation ends at its stop token; the other goes on', async () => {
    const model = loadFixture('tiny-gpt2');
    const free = await generate(model, steerDoc(PROMPT, STEER, 40), greedy('both', 8));
    const stop = free.original.ids[2]!;
    const r = await generate(model, steerDoc(PROMPT, STEER, 40), { ...greedy('both', 8), stopTokens: [stop] });
    expect(r.original.ids).toEqual(free.original.ids.slice(0, free.original.ids.indexOf(stop) + 1));
    const cut = free.intervened.ids.indexOf(stop);
    expect(r.intervened.ids).toEqual(cut >= 0 ? free.intervened.ids.slice(0, cut + 1) : free.intervened.ids);
  });
});
