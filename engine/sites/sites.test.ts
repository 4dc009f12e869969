// Every component of every layer is found in both families and in every published layout, with the shape its
// component declares; and the values hang together the way the architecture says they must (independent checks of
// the site finder: residual sums, head merges, attention = probs · values, causal softmax rows).
import { describe, expect, it } from 'vitest';
import { FIXTURE_FAMILIES, FIXTURE_FILES, loadFixture, maxAbsDiff } from '../test-support/fixtures.js';
import { forward } from '../run/forward.js';
import { COMPONENTS, COMPONENT_INFO, type Component } from './components.js';
import { siteId, slotValueNames } from './site-id.js';
import type { SlotSpec } from '../compile/instrument.js';
import type { FloatTensor } from '../runtime/tensor.js';
import { graphCache } from '../compile/graph-cache.js';

const IDS = [[11, 450, 7, 999, 3]];
const S = 5;

/** [1,H,S,Dh] → [1,S,H·Dh] */
function mergeHeads(t: FloatTensor): number[] {
  const [, h, s, d] = t.dims as [number, number, number, number];
  const out: number[] = [];
  for (let p = 0; p < s; p++) for (let i = 0; i < h; i++) for (let k = 0; k < d; k++) out.push(t.data[(i * s + p) * d + k]!);
  return out;
}

describe.each(FIXTURE_FAMILIES)('%s sites', (family) => {
  it.each(FIXTURE_FILES)('every component is found in %s, with its declared shape', async (file) => {
    const model = loadFixture(family, file);
    const { dims } = model.info;
    const specs: SlotSpec[] = [];
    for (let layer = 0; layer < dims.nLayers; layer++) {
      for (const component of COMPONENTS) {
        if (component === 'token_embedding' && layer > 0) continue;
        specs.push({ site: { layer, component }, kind: 'affine' });
      }
    }
    const out = await forward(model, await graphCache(model).get(specs), { ids: IDS, collect: specs.map((s) => siteId(s.site)) });
    for (const spec of specs) {
      const t = out.collected[siteId(spec.site)]!;
      const info = COMPONENT_INFO[spec.site.component];
      const want = info.layout === 'bhsd' ? [1, dims.nHeads, S, dims.dHead] : info.layout === 'bhst' ? [1, dims.nHeads, S, S] : [1, S, info.featureSize(dims)];
      expect(t.dims, siteId(spec.site)).toEqual(want);
    }
  });

  it('values are consistent with the architecture', async () => {
    const model = loadFixture(family);
    const { dims } = model.info;
    const specs: SlotSpec[] = [];
    for (let layer = 0; layer < dims.nLayers; layer++) for (const c of COMPONENTS) if (c !== 'token_embedding' || layer === 0) specs.push({ site: { layer, component: c }, kind: 'collect' });
    const out = await forward(model, await graphCache(model).get(specs), { ids: IDS, collect: specs.map((s) => siteId(s.site)) });
    const v = (layer: number, c: Component) => out.collected[siteId({ layer, component: c })]!;
    for (let layer = 0; layer < dims.nLayers; layer++) {
      // The residual stream: out = in + attention + mlp (sequential for GPT-2, parallel for NeoX: the same sum).
      const sum = v(layer, 'block_input').data.map((x, i) => x + v(layer, 'attention_output').data[i]! + v(layer, 'mlp_output').data[i]!);
      expect(maxAbsDiff(v(layer, 'block_output').data, sum)).toBeLessThan(1e-4);
      if (layer > 0) expect(maxAbsDiff(v(layer, 'block_input').data, v(layer - 1, 'block_output').data)).toBe(0);
      // Head views and merged views of the same tensors.
      expect(maxAbsDiff(v(layer, 'attention_value_output').data, mergeHeads(v(layer, 'head_attention_value_output')))).toBeLessThan(1e-6);
      for (const r of ['query', 'key', 'value'] as const) {
        expect(maxAbsDiff(v(layer, `${r}_output`).data, mergeHeads(v(layer, `head_${r}_output`)))).toBeLessThan(1e-6);
      }
      // Attention: probabilities are causal softmax rows, and head outputs = probs · values.
      const probs = v(layer, 'attention_weight');
      const vals = v(layer, 'head_value_output');
      const z = v(layer, 'head_attention_value_output');
      const d = dims.dHead;
      for (let h = 0; h < dims.nHeads; h++) {
        for (let q = 0; q < S; q++) {
          const row = probs.data.subarray((h * S + q) * S, (h * S + q + 1) * S);
          expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
          for (let k = q + 1; k < S; k++) expect(row[k]).toBe(0);
          for (let j = 0; j < d; j++) {
            let acc = 0;
            for (let k = 0; k < S; k++) acc += row[k]! * vals.data[(h * S + k) * d + j]!;
            expect(Math.abs(acc - z.data[(h * S + q) * d + j]!)).toBeLessThan(1e-5);
          }
        }
      }
    }
    if (family === 'tiny-gpt-neox') expect(maxAbsDiff(v(0, 'token_embedding').data, v(0, 'block_input').data)).toBe(0);
    if (family === 'tiny-gpt2') {
      // Without rotary embeddings, probabilities = softmax(q·k/√d) with the causal mask.
      const q = v(0, 'head_query_output');
      const k = v(0, 'head_key_output');
      const probs = v(0, 'attention_weight');
      const d = dims.dHead;
      for (let h = 0; h < dims.nHeads; h++) {
        for (let i = 0; i < S; i++) {
          const scores = Array.from({ length: i + 1 }, (_, j) => {
            let dot = 0;
            for (let c = 0; c < d; c++) dot += q.data[(h * S + i) * d + c]! * k.data[(h * S + j) * d + c]!;
            return dot / Math.sqrt(d);
          });
          const m = Math.max(...scores);
          const e = scores.map((x) => Math.exp(x - m));
          const total = e.reduce((a, b) => a + b, 0);
          e.forEach((x, j) => expect(Math.abs(x / total - probs.data[(h * S + i) * S + j]!)).toBeLessThan(1e-5));
        }
      }
    }
  });
});

describe.each(FIXTURE_FAMILIES)('%s: writes reach every consumer', (family) => {
  it.each(FIXTURE_FILES)('zeroing a head\'s keys makes its attention uniform (%s)', async (file) => {
    const model = loadFixture(family, file);
    const key = { layer: 0, component: 'head_key_output' as const };
    const probs = { layer: 0, component: 'attention_weight' as const };
    const graph = await graphCache(model).get([{ site: key, kind: 'affine' }, { site: probs, kind: 'collect' }]);
    const { nHeads, dHead } = model.info.dims;
    const mask = new Float32Array(nHeads * S * dHead);
    mask.fill(1, 1 * S * dHead, 2 * S * dHead); // head 1, every position
    const out = await forward(model, graph, {
      ids: IDS, collect: [siteId(probs)],
      feeds: { [slotValueNames(siteId(key)).mask]: { data: mask, dims: [1, nHeads, S, dHead] } },
    });
    const p = out.collected[siteId(probs)]!.data;
    for (let q = 0; q < S; q++) for (let k = 0; k <= q; k++) expect(p[(1 * S + q) * S + k]).toBeCloseTo(1 / (q + 1), 5);
    expect(Math.abs(p[(0 * S + 4) * S + 0]! - 0.2)).toBeGreaterThan(1e-4); // head 0 untouched
  });
});
