// The Hugging Face hub's file variants (transformers.js layout: model_fp16, _quantized, _int8, _uint8, _q4, _q4f16,
// _bnb4), made from the tiny fixtures with onnxruntime's own tools (tools/fixtures/make_hub_variants.py). Each loads
// with every site; a neutral slot leaves the graph's own answer unchanged; an intervention changes it; and the answer
// stays near PyTorch's fp32 one by a bound measured per number format.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openModel } from './open-model.js';
import { nodeResolver, REPO_ROOT } from './node-resolver.js';
import { forward } from '../run/forward.js';
import { graphCache } from '../compile/graph-cache.js';
import { siteId, slotValueNames } from '../sites/site-id.js';
import { configureRuntime } from '../runtime/ort-runtime.js';
import { fixtureReference, maxAbsDiff } from '../test-support/fixtures.js';
import type { ModelVariant } from '../model/model-ref.js';

configureRuntime({ provider: 'wasm', numThreads: 1 });

/** Distance to PyTorch's fp32 logits (span ≈ ±4): the number format's error, not the engine's (the engine's own
 *  exactness is the neutral-slot check). Measured worst of both families, gpt2 / neox: fp16 0.0021 / 0.0020;
 *  8-bit 0.082 / 0.087; q4 0.24 / 0.58; q4f16 0.24 / 0.58; bnb4 0.26 / 0.68. Bounds ≈ 1.3–2× that. */
const BOUND: Record<Exclude<ModelVariant, 'fp32'>, number> = {
  fp16: 0.004, quantized: 0.12, int8: 0.12, uint8: 0.12, q4: 0.8, q4f16: 0.8, bnb4: 0.9,
};
const CASES = (['tiny-gpt2', 'tiny-gpt-neox'] as const).flatMap((family) =>
  (Object.keys(BOUND) as (keyof typeof BOUND)[]).map((variant) => ({ family, variant })));

describe('hub file variants', () => {
  it.each(CASES)('$family $variant loads with every site; slots are exact and take effect', async ({ family, variant }) => {
    const model = await openModel(join(REPO_ROOT, 'engine/test-data/hub-variants', family), nodeResolver, { variant });
    expect(model.info.unavailableSites).toEqual({});
    const ref = fixtureReference(family);
    const ids = ref.input_ids;
    const plain = await forward(model, await graphCache(model).get([]), { ids, logits: 'all' });
    const site = { layer: 0, component: 'block_output' as const };
    const slotted = await graphCache(model).get([{ site, kind: 'affine' }, { site: { layer: 1, component: 'head_key_output' }, kind: 'collect' }]);
    const neutral = await forward(model, slotted, { ids, logits: 'all' });
    expect(maxAbsDiff(neutral.logits!.data, plain.logits!.data)).toBeLessThan(1e-6);
    const d = model.info.dims.dModel;
    const delta = { data: Float32Array.from({ length: d }, (_, i) => 0.5 * Math.sin(i)), dims: [1, 1, d] };
    const steered = await forward(model, slotted, { ids, logits: 'all', feeds: { [slotValueNames(siteId(site)).delta]: delta } });
    expect(maxAbsDiff(steered.logits!.data, plain.logits!.data)).toBeGreaterThan(0.05);
    expect(maxAbsDiff(plain.logits!.data, ref.logits.flat(2))).toBeLessThan(BOUND[variant]);
  });
});
