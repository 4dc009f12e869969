// Steering: the SPEC syntax, and vectors from a token's embedding and a difference of means checked against
// activations collected independently through run/forward.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { loadFixture, maxAbsDiff } from '../../test-support/fixtures.js';
import { forward } from '../../run/forward.js';
import { parseSteerSpec } from './steer-spec.js';
import { steeringExperiment, steeringVectors } from './steering.js';
import { BUNDLED_DIR } from '../../load/node-resolver.js';
import { loadModel } from '../../load/load-model.js';
import { readBytes } from '../../test-support/fixtures.js';
import { graphCache } from '../../compile/graph-cache.js';

describe('parseSteerSpec', () => {
  it('reads sites, coefficient and each kind of source', () => {
    expect(parseSteerSpec('L3.block_output:4:token= happy', 6)).toEqual({ layers: [3], component: 'block_output', coefficient: 4, source: { kind: 'token', text: ' happy' } });
    expect(parseSteerSpec('L1-3.mlp_output:-0.5:diff=a b|c d/e f', 6)).toEqual({
      layers: [1, 2, 3], component: 'mlp_output', coefficient: -0.5, source: { kind: 'diff', positive: ['a b', 'c d'], negative: ['e f'] },
    });
    expect(parseSteerSpec('L*.block_output:1:vector=1,2.5,-3', 2).source).toEqual({ kind: 'vector', values: [1, 2.5, -3] });
    expect(parseSteerSpec('L*.block_output:1:vector=1', 3).layers).toEqual([0, 1, 2]);
    expect(parseSteerSpec('{"layers": [0, 2], "component": "mlp_output", "coefficient": 2, "positive": "x/y", "negative": ["z"]}', 4)).toEqual({
      layers: [0, 2], component: 'mlp_output', coefficient: 2, source: { kind: 'diff', positive: ['x/y'], negative: ['z'] },
    });
  });

  it('fails with what was found', () => {
    expect(() => parseSteerSpec('block_output:4:token=x', 2)).toThrow(/not SITES:COEFFICIENT:SOURCE/);
    expect(() => parseSteerSpec('L0.block_output:four:token=x', 2)).toThrow(/coefficient "four" is not a number/);
    expect(() => parseSteerSpec('L0.block_outpt:1:token=x', 2)).toThrow(expect.objectContaining({ code: 'SITE_UNKNOWN' }));
    expect(() => parseSteerSpec('L0.block_output:1:diff=a|b', 2)).toThrow(/exactly one '\/'/);
    expect(() => parseSteerSpec('{"layer": 0}', 2)).toThrow(/needs "token"/);
  });
});

describe('steeringVectors', () => {
  const dir = join(BUNDLED_DIR, 'gpt2-facts');
  const model = loadModel({
    name: 'gpt2-facts', model: readBytes(join(dir, 'onnx/model.onnx')), config: JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')),
    tokenizer: JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), tokenizerConfig: JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')),
  });

  it('a difference of means is mean(positive last tokens) − mean(negative last tokens), per layer', async () => {
    const pos = ['The day was wonderful', 'I am happy'];
    const neg = ['The day was terrible'];
    const [v0, v2] = await steeringVectors(model, { layers: [0, 2], component: 'block_output', coefficient: 1, source: { kind: 'diff', positive: pos, negative: neg } });
    const graph = await graphCache(model).get([0, 2].map((layer) => ({ site: { layer, component: 'block_output' as const }, kind: 'collect' as const })));
    const last = async (text: string, layer: number) => {
      const ids = model.tokenizer!.encode(text);
      const out = await forward(model, graph, { ids: [ids], collect: [`L${layer}.block_output`], logits: 'none' });
      const d = model.info.dims.dModel;
      return Array.from(out.collected[`L${layer}.block_output`]!.data.subarray((ids.length - 1) * d, ids.length * d));
    };
    for (const [layer, got] of [[0, v0!], [2, v2!]] as const) {
      const [a, b, c] = [await last(pos[0]!, layer), await last(pos[1]!, layer), await last(neg[0]!, layer)];
      expect(maxAbsDiff(got, a.map((x, i) => (x + b[i]!) / 2 - c[i]!))).toBeLessThan(1e-5);
    }
  });

  it('a token\'s embedding is its row of the embedding matrix (GPT-2: wte), and the experiment scales it', async () => {
    const fixture = loadFixture('tiny-gpt2');
    await expect(steeringVectors(fixture, { layers: [0], component: 'block_output', coefficient: 1, source: { kind: 'token', text: 'x' } })).rejects.toMatchObject({ code: 'TOKENIZER_MISSING' });
    // Two single tokens of this vocabulary, whatever it is: the first tokens of two words.
    const [tokA, tokB] = ['The', 'I'].map((w) => model.tokenizer!.decode([model.tokenizer!.encode(w)[0]!]));
    const id = model.tokenizer!.encode(tokA!);
    expect(id).toHaveLength(1);
    const [v] = await steeringVectors(model, { layers: [1], component: 'block_output', coefficient: 1, source: { kind: 'token', text: tokA! } });
    // Independent: position 0 of the layer-0 block input is wte[id] + wpe[0]; position 0 of a second run with another
    // token differs from it by exactly wte[id] − wte[other].
    const graph = await graphCache(model).get([{ site: { layer: 0, component: 'block_input' }, kind: 'collect' }]);
    const d = model.info.dims.dModel;
    const other = model.tokenizer!.encode(tokB!);
    const [w] = await steeringVectors(model, { layers: [0], component: 'block_output', coefficient: 1, source: { kind: 'token', text: tokB! } });
    const a = (await forward(model, graph, { ids: [id], collect: ['L0.block_input'], logits: 'none' })).collected['L0.block_input']!.data;
    const b = (await forward(model, graph, { ids: [other], collect: ['L0.block_input'], logits: 'none' })).collected['L0.block_input']!.data;
    expect(maxAbsDiff(Array.from(a.subarray(0, d), (x, i) => x - b[i]!), Array.from(v!, (x, i) => x - w![i]!))).toBeLessThan(1e-5);
    const doc = steeringExperiment(model, 'I felt', { layers: [1], component: 'block_output', coefficient: -2, source: { kind: 'token', text: tokA! } }, [v!]);
    expect(doc.config.representations[0]!.source_representation![3]).toBeCloseTo(-2 * v![3]!, 5);
    expect(doc.unit_locations).toEqual({ base: [[model.tokenizer!.encode('I felt').map((_, i) => i)]] });
  });

  it('rejects wrong sizes, layers and components with codes', async () => {
    const spec = { layers: [0], component: 'block_output' as const, coefficient: 1 };
    await expect(steeringVectors(model, { ...spec, source: { kind: 'vector', values: [1, 2] } })).rejects.toMatchObject({ code: 'SHAPE_MISMATCH' });
    await expect(steeringVectors(model, { ...spec, layers: [9], source: { kind: 'vector', values: [1] } })).rejects.toMatchObject({ code: 'LAYER_OUT_OF_RANGE' });
    await expect(steeringVectors(model, { ...spec, component: 'mlp_activation', source: { kind: 'token', text: ' happy' } })).rejects.toMatchObject({ code: 'SHAPE_MISMATCH' });
    await expect(steeringVectors(model, { ...spec, component: 'head_query_output', source: { kind: 'vector', values: [1] } })).rejects.toMatchObject({ code: 'SITE_UNKNOWN' });
  });
});
