// DAS on the exporter-made GPT-2 fixture: IIA is exact for a full-rank swap, training lowers the loss and keeps the
// subspace orthonormal, runs are reproducible from the seed, and a trained cell survives save → load and pyvene export.
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../test-support/fixtures.js';
import { forward } from '../run/forward.js';
import { graphCache } from '../compile/graph-cache.js';
import { importPyveneConfig } from '../experiment/pyvene-config.js';
import { argmax, evaluateIia, trainDas, type DasPair, type TrainedCell } from './das.js';
import { seededRandom } from './linalg.js';
import { loadTrained, saveTrained, trainedPyveneConfig } from './trained-io.js';

const model = loadFixture('tiny-gpt2');
const V = model.info.dims.vocabSize;
const D = model.info.dims.dModel;
const LAST = model.info.dims.nLayers - 1;

/** Random 5-token pairs; each label is that prompt's own top-1 token, so swapping everything in gives the source's. */
async function pairs(n: number, seed: number): Promise<DasPair[]> {
  const rnd = seededRandom(seed);
  const rows = Array.from({ length: 2 * n }, () => Array.from({ length: 5 }, () => Math.floor((rnd() + 0.5) * (V - 1)) + 1));
  const res = await forward(model, await graphCache(model).get([]), { ids: rows, logits: 'last' });
  const top = rows.map((_, i) => argmax(res.logits!.data.subarray(i * V, (i + 1) * V)));
  return Array.from({ length: n }, (_, i) => ({ base: rows[2 * i]!, source: rows[2 * i + 1]!, baseLabel: top[2 * i]!, sourceLabel: top[2 * i + 1]! }));
}

describe('DAS', () => {
  it('IIA is 1 for a full-rank swap of the last block output at the last token, and 0 at no token', async () => {
    const ps = await pairs(12, 1);
    const identity = new Float32Array(D * D);
    for (let i = 0; i < D; i++) identity[i * D + i] = 1;
    const full: TrainedCell = { layer: LAST, position: -1, component: 'block_output', type: 'LowRankRotatedSpaceIntervention', rank: D, weight: identity, weightCols: D, params: {}, losses: [] };
    const zero: TrainedCell = { ...full, weight: new Float32Array(D * D) };
    const differ = ps.filter((p) => p.baseLabel !== p.sourceLabel).length;
    expect(differ).toBeGreaterThan(6);
    expect(await evaluateIia(model, [full, zero], ps)).toEqual([1, 1 - differ / ps.length]);
  });

  it('training lowers the loss, keeps R orthonormal and is reproducible from the seed', async () => {
    const ps = await pairs(24, 2);
    const opts = { rank: 2, steps: 12, batchSize: 8, lr: 0.05, seed: 4 };
    const [a] = await trainDas(model, [{ layer: LAST, position: -1 }], ps, opts);
    const first = (a!.losses[0]! + a!.losses[1]! + a!.losses[2]!) / 3;
    const last = (a!.losses[9]! + a!.losses[10]! + a!.losses[11]!) / 3;
    expect(last).toBeLessThan(first - 0.05);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
      let dot = 0;
      for (let r = 0; r < D; r++) dot += a!.weight[r * 2 + i]! * a!.weight[r * 2 + j]!;
      expect(dot).toBeCloseTo(i === j ? 1 : 0, 5);
    }
    const [b] = await trainDas(model, [{ layer: LAST, position: -1 }], ps, { ...opts, steps: 3 });
    expect(b!.losses).toEqual(a!.losses.slice(0, 3));
  });

  it('a trained cell saves, loads and exports to a pyvene config that imports back', () => {
    const w = Float32Array.from({ length: D }, (_, i) => (i === 3 ? 1 : 0));
    const cell: TrainedCell = { layer: 1, position: 4, component: 'block_output', type: 'LowRankRotatedSpaceIntervention', rank: 1, weight: w, weightCols: 1, params: {}, losses: [2, 1] };
    const { json, bytes } = saveTrained(cell, 'cell.f32', { model: 'tiny-gpt2', iia: 0.5 });
    expect(bytes.length).toBe(D * 4);
    expect(loadTrained(JSON.parse(JSON.stringify(json)), { 'cell.f32': bytes })).toEqual(cell);
    expect(() => loadTrained(json, {})).toThrow(/side file "cell.f32" was not provided/);
    const imported = importPyveneConfig(trainedPyveneConfig(cell)).config.representations[0]!;
    expect(imported).toMatchObject({ layer: 1, component: 'block_output', intervention_type: 'LowRankRotatedSpaceIntervention', low_rank_dimension: 1 });
    expect((imported.params as { weight: number[][] }).weight.flat()).toEqual(Array.from(w));
  });

  it('rejects positions outside the pairs and layers outside the model', async () => {
    const ps = await pairs(4, 3);
    await expect(trainDas(model, [{ layer: 0, position: 5 }], ps)).rejects.toMatchObject({ code: 'LOCATION_OUT_OF_RANGE' });
    await expect(trainDas(model, [{ layer: 9, position: 0 }], ps)).rejects.toMatchObject({ code: 'LAYER_OUT_OF_RANGE' });
  });
});
