// Forward + backward of the exporter-made fixtures in one session, against PyTorch autograd (reference values made by
// tools/das/grad_reference.py) and against central finite differences on every export variant.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFixture, maxAbsDiff } from '../test-support/fixtures.js';
import { projectionValueNames, slotValueNames } from '../sites/site-id.js';
import type { FloatTensor } from '../runtime/tensor.js';
import type { SlotSpec } from '../compile/instrument.js';
import { cachedGradGraph, compileGradGraph, lastTokenWeights, runGrad } from './grad-graph.js';
import { graphCache } from '../compile/graph-cache.js';
import { crossEntropyLast, directionalCheck, seededRandom } from './test-support.js';

interface Ref {
  ids: number[][]; labels: number[]; rank: number; position: number; d_model: number;
  U: number[]; Vt: number[]; source: number[]; loss: number;
  grad: { U: number[]; Vt: number[]; source: number[]; delta: number[] };
}
const REF = JSON.parse(readFileSync(join(import.meta.dirname, '../compile/backward/testdata/grad-reference.json'), 'utf8')) as Record<string, Ref>;

const p0 = projectionValueNames('L0.block_output', 0);
const at0 = slotValueNames('L0.block_output');
const at1 = slotValueNames('L1.block_output');
const SPECS: SlotSpec[] = [
  { site: { layer: 0, component: 'block_output' }, kind: 'collect', projections: 1 },
  { site: { layer: 1, component: 'block_output' }, kind: 'affine' },
];
const WRT = [p0.u, p0.vt, p0.source, at1.delta];
const t = (data: ArrayLike<number>, dims: number[]): FloatTensor => ({ data: Float32Array.from(data), dims });

function feedsOf(ref: Ref): Record<string, FloatTensor> {
  const [B, S] = [ref.ids.length, ref.ids[0]!.length];
  const D = ref.d_model;
  const mask = new Float32Array(B * S);
  for (let b = 0; b < B; b++) mask[b * S + ref.position] = 1;
  const one = t([0], [1]);
  return {
    [p0.u]: t(ref.U, [D, ref.rank]), [p0.vt]: t(ref.Vt, [ref.rank, D]), [p0.source]: t(ref.source, [B, S, D]), [p0.mask]: t(mask, [B, S, 1]),
    [at0.delta]: one, [at1.delta]: t(new Float32Array(B * S * D), [B, S, D]), [at1.source]: one, [at1.mask]: one,
  };
}

describe('backward graphs of the fixtures', () => {
  for (const family of ['tiny-gpt2', 'tiny-gpt-neox']) {
    it(`${family}: loss and gradients match PyTorch autograd`, async () => {
      const ref = REF[family]!;
      const model = loadFixture(family);
      const feeds = feedsOf(ref);
      const gg = await compileGradGraph(model, SPECS, WRT, { ids: ref.ids, feeds });
      const weights = lastTokenWeights(ref.ids.length, ref.ids[0]!.length, model.info.dims.vocabSize, ref.labels);
      const res = await runGrad(model, gg, { ids: ref.ids, feeds, weights });
      expect(Math.abs(res.loss - ref.loss)).toBeLessThan(1e-4);
      const pairs: [string, number[]][] = [[p0.u, ref.grad.U], [p0.vt, ref.grad.Vt], [p0.source, ref.grad.source], [at1.delta, ref.grad.delta]];
      for (const [name, want] of pairs) {
        const scale = Math.max(...want.map(Math.abs));
        expect(scale, `${name} has a non-zero reference gradient`).toBeGreaterThan(1e-3);
        expect(maxAbsDiff(res.grads[name]!.data, want) / scale, `${family} ${name}`).toBeLessThan(1e-4);
      }
      await gg.session.release();
    });
  }

  // Every export variant: opset 18 LayerNormalization and its opset-14 decomposition, the legacy merged decoder.
  const variants: [string, string][] = [['tiny-gpt2', 'model_opset14.onnx'], ['tiny-gpt-neox', 'model_opset14.onnx'], ['tiny-gpt2', 'decoder_model_merged.onnx']];
  for (const [family, file] of variants) {
    it(`${family}/${file}: gradients match central finite differences`, async () => {
      const ref = REF[family]!;
      const model = loadFixture(family, file);
      const feeds = feedsOf(ref);
      const gg = await compileGradGraph(model, SPECS, WRT, { ids: ref.ids, feeds });
      const weights = lastTokenWeights(ref.ids.length, ref.ids[0]!.length, model.info.dims.vocabSize, ref.labels);
      const res = await runGrad(model, gg, { ids: ref.ids, feeds, weights });
      expect(res.loss).toBeCloseTo(crossEntropyLast(res.logits, ref.labels), 5);
      const loss = async (f: Record<string, FloatTensor>) => crossEntropyLast((await runGrad(model, gg, { ids: ref.ids, feeds: f, weights })).logits, ref.labels);
      const rnd = seededRandom(3);
      for (const name of WRT) {
        const { analytic, numeric } = await directionalCheck(feeds, name, res.grads[name]!, loss, rnd, 1e-2);
        expect(Math.abs(analytic - numeric), `${name}: ${analytic} vs ${numeric}`).toBeLessThan(1e-4 + 2e-3 * Math.abs(analytic));
      }
      await gg.session.release();
    });
  }

  it('tiny-gpt2: a cached backward graph gives the same gradients, and the second request builds nothing', async () => {
    const ref = REF['tiny-gpt2']!;
    const model = loadFixture('tiny-gpt2');
    const feeds = feedsOf(ref);
    const weights = lastTokenWeights(ref.ids.length, ref.ids[0]!.length, model.info.dims.vocabSize, ref.labels);
    const first = await cachedGradGraph(model, SPECS, WRT, { ids: ref.ids, feeds });
    const compiles = graphCache(model).stats.compiles;
    const a = await runGrad(model, first, { ids: ref.ids, feeds, weights });
    first.release();
    const second = await cachedGradGraph(model, SPECS, WRT, { ids: ref.ids, feeds });
    expect(second.session).toBe(first.session);
    expect(graphCache(model).stats.compiles).toBe(compiles);
    const b = await runGrad(model, second, { ids: ref.ids, feeds, weights });
    second.release();
    expect(b.loss).toBe(a.loss);
    expect(Math.abs(a.loss - ref.loss)).toBeLessThan(1e-4);
    expect(maxAbsDiff(b.grads[p0.u]!.data, ref.grad.U) / Math.max(...ref.grad.U.map(Math.abs))).toBeLessThan(1e-4);
    await graphCache(model).clear();
  });
});
