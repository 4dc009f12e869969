// Parity with PyTorch: every exporter-made fixture file gives reference.json's logits, hook-site values and the two
// reference interventions, on both Node runtimes (onnxruntime-node's native kernels and onnxruntime-web's wasm).
// Tolerances: fp32 1e-4 on logits and sites. Quantized files cannot match fp32 PyTorch (measured: up to 0.58 on
// logits spanning about −2.5…3.7), so they are checked against onnxruntime's own run of the same file, untouched by
// Patchbay (1e-5), and their interventions by their effect: the change in logits an intervention makes must match
// PyTorch's change within 30% of its size (measured: 4–20%), and must be there at all.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { configureRuntime, type RuntimeKind } from './runtime/ort-runtime.js';
import { fixtureReference, FIXTURE_FAMILIES, FIXTURE_FILES, loadFixture, maxAbsDiff, TESTDATA } from './test-support/fixtures.js';
import { forward } from './run/forward.js';
import type { SlotSpec } from './compile/instrument.js';
import type { Component } from './sites/components.js';
import { siteId, slotValueNames } from './sites/site-id.js';
import { runExperiment } from './experiment/run-experiment.js';
import { ExperimentSchema } from './experiment/experiment-schema.js';
import { graphCache } from './compile/graph-cache.js';

/** PyTorch reference name → the component holding the same value. resid_mid (GPT-2's residual stream between
 *  attention and MLP) has no component of its own: it is block_input + attention_output, checked as such. */
const REF_SITES: Record<string, Component> = {
  attn_out: 'attention_output', z: 'attention_value_output', mlp_out: 'mlp_output',
  block_out: 'block_output', head_z: 'head_attention_value_output',
};

/** onnxruntime's own run of a model file, bytes as they are on disk: no Patchbay decoding, editing or input binding. */
async function plainOnnxruntime(runtime: RuntimeKind, path: string, ids: number[][], heads: number, dHead: number): Promise<Float32Array> {
  const ort = (runtime === 'native' ? ortNode : ortWeb) as typeof ortNode;
  const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(path)));
  const [B, S] = [ids.length, ids[0]!.length];
  const feeds: Record<string, ortNode.Tensor> = {};
  for (const name of session.inputNames) {
    if (name === 'input_ids') feeds[name] = new ort.Tensor('int64', BigInt64Array.from(ids.flat(), BigInt), [B, S]);
    else if (name === 'attention_mask') feeds[name] = new ort.Tensor('int64', new BigInt64Array(B * S).fill(1n), [B, S]);
    else if (name === 'position_ids') feeds[name] = new ort.Tensor('int64', BigInt64Array.from({ length: B * S }, (_, i) => BigInt(i % S)), [B, S]);
    else if (name.startsWith('past_key_values.')) feeds[name] = new ort.Tensor('float32', new Float32Array(0), [B, heads, 0, dHead]);
    else if (name === 'use_cache_branch') feeds[name] = new ort.Tensor('bool', new Uint8Array([0]), [1]);
    else throw new Error(`the fixture has an input ${name} this test does not feed`);
  }
  const logits = (await session.run(feeds)).logits!.data as Float32Array;
  await session.release();
  return logits;
}

/** Checks an intervention's effect (intervened − original logits) against PyTorch's. */
function expectEffect(got: { intervened: number[]; original: number[] }, want: { intervened: number[]; original: number[] }): void {
  const effect = got.intervened.map((v, i) => v - got.original[i]!);
  const wantEffect = want.intervened.map((v, i) => v - want.original[i]!);
  const size = Math.max(...wantEffect.map(Math.abs));
  expect(size).toBeGreaterThan(0.3); // the reference intervention does something worth checking
  expect(Math.max(...effect.map(Math.abs))).toBeGreaterThan(0.5 * size);
  expect(maxAbsDiff(effect, wantEffect)).toBeLessThan(0.3 * size);
}

describe.each<RuntimeKind>(['native', 'web'])('%s runtime', (runtime) => {
  beforeAll(() => configureRuntime({ provider: 'wasm', numThreads: 1, runtime }));
  describe.each(FIXTURE_FAMILIES)('%s', (family) => {
    const ref = fixtureReference(family);
    describe.each(FIXTURE_FILES)('%s', (file) => {
      const quantized = file.includes('quantized') || file.includes('q4');
      it('logits and hook sites match PyTorch', async () => {
        const model = loadFixture(family, file);
        const specs: SlotSpec[] = [];
        for (let layer = 0; layer < model.info.dims.nLayers; layer++) {
          for (const c of [...Object.values(REF_SITES), 'block_input' as const]) specs.push({ site: { layer, component: c }, kind: 'affine' });
        }
        const graph = await graphCache(model).get(specs);
        expect(graph.session.runtime).toBe(runtime);
        const out = await forward(model, graph, { ids: ref.input_ids, logits: 'all', collect: specs.map((s) => siteId(s.site)) });
        const plain = await forward(model, await graphCache(model).get([]), { ids: ref.input_ids, logits: 'all' });
        // Neutral slots change nothing, bit for bit up to float reassociation.
        expect(maxAbsDiff(out.logits!.data, plain.logits!.data)).toBeLessThan(1e-5);
        // The same file run by onnxruntime alone, as it is on disk.
        const { nHeads, dHead } = model.info.dims;
        const own = await plainOnnxruntime(runtime, join(TESTDATA, 'generated', family, file), ref.input_ids, nHeads, dHead);
        expect(maxAbsDiff(plain.logits!.data, own)).toBeLessThan(1e-5);
        if (quantized) return; // its hook sites differ from fp32 PyTorch by quantization; the effects are checked below
        expect(maxAbsDiff(out.logits!.data, ref.logits.flat(2))).toBeLessThan(1e-4);
        let checked = 0;
        for (const [key, entry] of Object.entries(ref.sites)) {
          const [name, layer] = key.split('.') as [string, string];
          const want = (entry.data as number[]).flat(3);
          const at = (component: Component) => out.collected[siteId({ layer: Number(layer), component })]!;
          if (name === 'resid_mid') {
            const sum = at('block_input').data.map((v, i) => v + at('attention_output').data[i]!);
            expect(maxAbsDiff(sum, want), `${key} = block_input + attention_output`).toBeLessThan(1e-4);
            checked++;
            continue;
          }
          const got = at(REF_SITES[name]!);
          expect(got.dims).toEqual(entry.shape);
          expect(maxAbsDiff(got.data, want), key).toBeLessThan(1e-4);
          checked++;
        }
        expect(checked).toBe(Object.keys(ref.sites).length);
      });

      it('reproduces the reference interventions (zero_head, steer_block_out)', async () => {
        const model = loadFixture(family, file);
        const ids = ref.input_ids[0]!;
        const tol = 1e-4;
        const zeroHead = await runExperiment(model, ExperimentSchema.parse({
          base: { input_ids: ids },
          config: { representations: [{ layer: 0, component: 'head_attention_value_output', unit: 'h', intervention_type: 'ZeroIntervention' }] },
          unit_locations: { base: 2 },
          options: { full_logits: true },
        }));
        const last = (l: number[][][]) => l[0]![l[0]!.length - 1]!;
        if (quantized) {
          expectEffect({ intervened: zeroHead.intervened.logits!, original: zeroHead.original.logits! },
            { intervened: last(ref.interventions.zero_head.logits), original: last(ref.logits) });
        } else {
          expect(maxAbsDiff(zeroHead.intervened.logits!, last(ref.interventions.zero_head.logits))).toBeLessThan(tol);
          expect(maxAbsDiff(zeroHead.original.logits!, last(ref.logits))).toBeLessThan(tol);
        }
        // Steering at every position, checked on every position's logits through forward().
        const v = ref.interventions.steer_block_out.steer_vector;
        const steer = await runExperiment(model, ExperimentSchema.parse({
          base: { input_ids: ids },
          config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'AdditionIntervention', source_representation: v }] },
          unit_locations: { base: [[[0, 1, 2, 3]]] },
          options: { full_logits: true },
        }));
        if (quantized) {
          expectEffect({ intervened: steer.intervened.logits!, original: steer.original.logits! },
            { intervened: last(ref.interventions.steer_block_out.logits), original: last(ref.logits) });
          return;
        }
        expect(maxAbsDiff(steer.intervened.logits!, last(ref.interventions.steer_block_out.logits))).toBeLessThan(tol);
        const id = siteId({ layer: 0, component: 'block_output' });
        const graph = await graphCache(model).get([{ site: { layer: 0, component: 'block_output' }, kind: 'affine' }]);
        const all = await forward(model, graph, { ids: [ids], logits: 'all', feeds: { [slotValueNames(id).delta]: { data: Float32Array.from(v), dims: [v.length] } } });
        expect(maxAbsDiff(all.logits!.data, ref.interventions.steer_block_out.logits.flat(2))).toBeLessThan(tol);
      });
    });
  });
});
