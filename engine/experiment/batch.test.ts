// Batches: several base inputs in one experiment, each row with its own unit locations and subspaces (pyvene's
// per-example locations). Each row must equal the same experiment run on that row alone.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, maxAbsDiff } from '../test-support/fixtures.js';
import type { LoadedModel } from '../load/load-model.js';
import { ExperimentSchema, type ExperimentInput } from './experiment-schema.js';
import { runExperiment } from './run-experiment.js';

const BASES = [[11, 450, 7, 999], [5, 6, 7, 8], [100, 200, 300, 400]];
const SOURCES = [[3, 14, 15, 92], [42, 8, 512, 77], [1, 2, 3, 4]];
const R = Array.from({ length: 64 }, (_, r) => Array.from({ length: 64 }, (_, c) => (c === (r * 7) % 64 ? 1 : 0)));

let model: LoadedModel;
beforeAll(() => { model = loadFixture('tiny-gpt2'); });

const run = (doc: ExperimentInput) => runExperiment(model, ExperimentSchema.parse({ ...doc, options: { full_logits: true } }));

describe('batched experiments', () => {
  it('per-row locations and subspaces equal one run per row', async () => {
    const reps = [
      { layer: 0, component: 'block_output', intervention_type: 'VanillaIntervention' },
      { layer: 1, component: 'mlp_output', intervention_type: 'RotatedSpaceIntervention', params: { rotation: R } },
    ];
    const srcLocs = [[[0], [1], [2, 3]], [[3], [3], [3]]];
    const baseLocs = [[[1], [2], [0, 1]], [[3], [3], [3]]];
    const subspaces = [[[0, 1, 2], [10, 20], [5]], [[0, 1], [2, 3, 4], [60]]];
    const batched = await run({
      base: BASES.map((ids) => ({ input_ids: ids })), sources: [SOURCES.map((ids) => ({ input_ids: ids })), { input_ids: SOURCES[0]! }],
      config: { representations: reps },
      unit_locations: { 'sources->base': [srcLocs, baseLocs] },
      subspaces,
    });
    expect(batched.rows).toHaveLength(3);
    for (let r = 0; r < 3; r++) {
      const single = await run({
        base: { input_ids: BASES[r]! }, sources: [{ input_ids: SOURCES[r]! }, { input_ids: SOURCES[0]! }],
        config: { representations: reps },
        unit_locations: { 'sources->base': [srcLocs.map((l) => [l[r]!]), baseLocs.map((l) => [l[r]!])] },
        subspaces: subspaces.map((s) => [s[r]!]),
      });
      expect(maxAbsDiff(batched.rows![r]!.intervened.logits!, single.intervened.logits!), `row ${r}`).toBeLessThan(1e-5);
      expect(maxAbsDiff(batched.rows![r]!.original.logits!, single.original.logits!), `row ${r}`).toBeLessThan(1e-5);
    }
    expect(maxAbsDiff(batched.intervened.logits!, batched.rows![0]!.intervened.logits!)).toBe(0);
  });

  it('collects per row, and rejects rows of different lengths or mismatched row counts', async () => {
    const r = await run({
      base: BASES.slice(0, 2).map((ids) => ({ input_ids: ids })),
      config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'CollectIntervention' }] },
      unit_locations: { base: [[[0], [3]]] },
    });
    expect(r.collected.map((c) => [c.row, c.units])).toEqual([[0, [{ pos: 0 }]], [1, [{ pos: 3 }]]]);
    await expect(run({
      base: [{ input_ids: [1, 2, 3] }, { input_ids: [1, 2] }],
      config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'ZeroIntervention' }] }, unit_locations: { base: 0 },
    })).rejects.toThrow(/row 1 has 2 tokens and row 0 has 3/);
    await expect(run({
      base: BASES.slice(0, 2).map((ids) => ({ input_ids: ids })),
      config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'ZeroIntervention' }] },
      unit_locations: { base: [[[0], [1], [2]]] },
    })).rejects.toThrow(/has 3 batch rows; the base has 2/);
  });
});
