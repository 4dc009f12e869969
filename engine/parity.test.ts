// Parity with PyTorch: every exporter-made fixture file gives reference.json's logits, hook-site values and the two
// reference interventions, on both Node runtimes (onnxruntime-node's native kernels and onnxruntime-web's wasm).
// Tolerances: fp32 1e-4 on logits and sites; quantized files are checked for exact instrumentation (the instrumented
// graph equals the uninstrumented one) plus a loose bound against fp32.
import { beforeAll, describe, expect, it } from 'vitest';
import { configureRuntime, type RuntimeKind } from './runtime/ort-runtime.js';
import { fixtureReference, FIXTURE_FAMILIES, FIXTURE_FILES, loadFixture, maxAbsDiff } from './test-support/fixtures.js';
import { forward } from './run/forward.js';
import type { SlotSpec } from './compile/instrument.js';
import type { Component } from './sites/components.js';
import { siteId, slotValueNames } from './sites/site-id.js';
import { runExperiment } from './experiment/run-experiment.js';
import { ExperimentSchema } from './experiment/experiment-schema.js';
import { graphCache } from './compile/graph-cache.js';

const REF_SITES: Record<string, Component> = {
  resid_mid: 'block_input', attn_out: 'attention_output', z: 'attention_value_output', mlp_out: 'mlp_output',
  block_out: 'block_output', head_z: 'head_attention_value_output',
};

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
          for (const c of Object.values(REF_SITES)) if (c !== 'block_input') specs.push({ site: { layer, component: c }, kind: 'affine' });
        }
        const graph = await graphCache(model).get(specs);
        expect(graph.session.runtime).toBe(runtime);
        const out = await forward(model, graph, { ids: ref.input_ids, logits: 'all', collect: specs.map((s) => siteId(s.site)) });
        const plain = await forward(model, await graphCache(model).get([]), { ids: ref.input_ids, logits: 'all' });
        // Neutral slots change nothing, bit for bit up to float reassociation.
        expect(maxAbsDiff(out.logits!.data, plain.logits!.data)).toBeLessThan(1e-5);
        const logitTol = quantized ? 1.0 : 1e-4;
        expect(maxAbsDiff(out.logits!.data, ref.logits.flat(2))).toBeLessThan(logitTol);
        if (quantized) return;
        let checked = 0;
        for (const [key, entry] of Object.entries(ref.sites)) {
          const [name, layer] = key.split('.') as [string, string];
          const component = REF_SITES[name];
          if (!component || component === 'block_input') continue;
          const got = out.collected[siteId({ layer: Number(layer), component })]!;
          expect(got.dims).toEqual(entry.shape);
          expect(maxAbsDiff(got.data, (entry.data as number[]).flat(3))).toBeLessThan(1e-4);
          checked++;
        }
        expect(checked).toBeGreaterThanOrEqual(8);
      });

      it('reproduces the reference interventions (zero_head, steer_block_out)', async () => {
        const model = loadFixture(family, file);
        const ids = ref.input_ids[0]!;
        const tol = quantized ? 1.0 : 1e-4;
        const zeroHead = await runExperiment(model, ExperimentSchema.parse({
          base: { input_ids: ids },
          config: { representations: [{ layer: 0, component: 'head_attention_value_output', unit: 'h', intervention_type: 'ZeroIntervention' }] },
          unit_locations: { base: 2 },
          options: { full_logits: true },
        }));
        const last = (l: number[][][]) => l[0]![l[0]!.length - 1]!;
        expect(maxAbsDiff(zeroHead.intervened.logits!, last(ref.interventions.zero_head.logits))).toBeLessThan(tol);
        expect(maxAbsDiff(zeroHead.original.logits!, last(ref.logits))).toBeLessThan(tol);
        // Steering at every position, checked on every position's logits through forward().
        const v = ref.interventions.steer_block_out.steer_vector;
        const steer = await runExperiment(model, ExperimentSchema.parse({
          base: { input_ids: ids },
          config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'AdditionIntervention', source_representation: v }] },
          unit_locations: { base: [[[0, 1, 2, 3]]] },
          options: { full_logits: true },
        }));
        expect(maxAbsDiff(steer.intervened.logits!, last(ref.interventions.steer_block_out.logits))).toBeLessThan(tol);
        const id = siteId({ layer: 0, component: 'block_output' });
        const graph = await graphCache(model).get([{ site: { layer: 0, component: 'block_output' }, kind: 'affine' }]);
        const all = await forward(model, graph, { ids: [ids], logits: 'all', feeds: { [slotValueNames(id).delta]: { data: Float32Array.from(v), dims: [v.length] } } });
        expect(maxAbsDiff(all.logits!.data, ref.interventions.steer_block_out.logits.flat(2))).toBeLessThan(tol);
      });
    });
  });
});
