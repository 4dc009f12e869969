// Each intervention type against a hand computation: intervene at layer 0's block output, read the result at layer
// 1's block input (the same tensor, after the slot), and compare with loops written out here. Also head-level units,
// broadcasting shorthands, multi-position pairs and subspaces.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, maxAbsDiff } from '../test-support/fixtures.js';
import type { LoadedModel } from '../load/load-model.js';
import { ExperimentSchema, type ExperimentInput } from '../experiment/experiment-schema.js';
import { runExperiment } from '../experiment/run-experiment.js';
import { INTERVENTION_TYPES } from './registry.js';
import { seededRng } from '../util/random.js';

const BASE = [11, 450, 7, 999];
const SOURCE = [3, 14, 15, 92];
const D = 64;
let model: LoadedModel;

beforeAll(() => { model = loadFixture('tiny-gpt2'); });

/** Values at a site for every position of the base (or source) input, before any intervention there. */
async function collectAll(ids: number[], component = 'block_output', layer = 0): Promise<number[][]> {
  const r = await runExperiment(model, ExperimentSchema.parse({
    base: { input_ids: ids },
    config: { representations: [{ layer, component, intervention_type: 'CollectIntervention' }] },
    unit_locations: { base: [[ids.map((_, i) => i)]] },
  }));
  return r.collected[0]!.values;
}

/** Runs the intervention at L0.block_output and returns L1.block_input (= the intervened tensor) at every position. */
async function intervened(rep: Record<string, unknown>, locations: Record<string, unknown>, extra: Partial<ExperimentInput> = {}): Promise<number[][]> {
  const r = await runExperiment(model, ExperimentSchema.parse({
    base: { input_ids: BASE },
    sources: 'sources->base' in locations ? [{ input_ids: SOURCE }] : [],
    config: { representations: [{ layer: 0, component: 'block_output', ...rep }, { layer: 1, component: 'block_input', intervention_type: 'CollectIntervention' }] },
    unit_locations: locations,
    ...extra,
  }));
  return r.collected.find((c) => c.intervention === 1)!.values;
}

/** pyvene's full form for [intervention at L0, collect at L1]: per intervention, per batch row, the positions. */
const ALL = [[0, 1, 2, 3]];
const both = (src: number[][], base: number[][]) => ({ 'sources->base': [[src, ALL], [base, ALL]] });

describe('intervention types vs hand computation', () => {
  let x: number[][];
  let s: number[][];
  beforeAll(async () => { x = await collectAll(BASE); s = await collectAll(SOURCE); });

  it('interchange swaps one position (source pos 2 → base pos 1)', async () => {
    const got = await intervened({ intervention_type: 'VanillaIntervention' }, both([[2]], [[1]]));
    const want = x.map((row) => [...row]);
    want[1] = [...s[2]!];
    expect(maxAbsDiff(got.flat(), want.flat())).toBeLessThan(1e-6);
  });

  it('interchange on a subspace touches only the listed features', async () => {
    const dims = [0, 5, 63];
    const got = await intervened({ intervention_type: 'VanillaIntervention' }, both([[3]], [[3]]), { subspaces: [[dims], null] });
    const want = x.map((row) => [...row]);
    for (const d of dims) want[3]![d] = s[3]![d]!;
    expect(maxAbsDiff(got.flat(), want.flat())).toBeLessThan(1e-6);
  });

  it('multi-position pairs map in order, and the integer shorthand broadcasts', async () => {
    const got = await intervened({ intervention_type: 'VanillaIntervention' }, both([[0, 3]], [[2, 1]]));
    const want = x.map((row) => [...row]);
    want[2] = [...s[0]!];
    want[1] = [...s[3]!];
    expect(maxAbsDiff(got.flat(), want.flat())).toBeLessThan(1e-6);
    // {"sources->base": 2} applies to every intervention: the collect at L1 then reads position 2 only.
    const r = await runExperiment(model, ExperimentSchema.parse({
      base: { input_ids: BASE }, sources: [{ input_ids: SOURCE }],
      config: { representations: [{ layer: 0, component: 'block_output' }, { layer: 1, component: 'block_input', intervention_type: 'CollectIntervention' }] },
      unit_locations: { 'sources->base': 2 },
    }));
    expect(maxAbsDiff(r.collected[0]!.values[0]!, s[2]!)).toBeLessThan(1e-6);
  });

  it('addition and subtraction add / subtract the source; a constant source works as pyvene\'s source_representation', async () => {
    const add = await intervened({ intervention_type: 'AdditionIntervention' }, both([[1]], [[1]]));
    const sub = await intervened({ intervention_type: 'SubtractionIntervention' }, both([[1]], [[1]]));
    expect(maxAbsDiff(add[1]!, x[1]!.map((v, i) => v + s[1]![i]!))).toBeLessThan(1e-5);
    expect(maxAbsDiff(sub[1]!, x[1]!.map((v, i) => v - s[1]![i]!))).toBeLessThan(1e-5);
    expect(maxAbsDiff(add[0]!, x[0]!)).toBeLessThan(1e-6);
    const v = Array.from({ length: D }, (_, i) => i / 10);
    const r = await runExperiment(model, ExperimentSchema.parse({
      base: { input_ids: BASE },
      config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'AdditionIntervention', source_representation: v }, { layer: 1, component: 'block_input', intervention_type: 'CollectIntervention' }] },
      unit_locations: { base: [[[0]], [[0]]] },
    }));
    expect(maxAbsDiff(r.collected[0]!.values[0]!, x[0]!.map((a, i) => a + v[i]!))).toBeLessThan(1e-5);
  });

  it('zero ablates; collect changes nothing', async () => {
    const got = await intervened({ intervention_type: 'ZeroIntervention' }, { base: [[[0, 2]], ALL] });
    const want = x.map((row, p) => (p === 0 || p === 2 ? row.map(() => 0) : row));
    expect(maxAbsDiff(got.flat(), want.flat())).toBeLessThan(1e-6);
    const same = await intervened({ intervention_type: 'CollectIntervention' }, { base: [[[0, 2]], ALL] });
    expect(maxAbsDiff(same.flat(), x.flat())).toBeLessThan(1e-6);
  });

  it('noise adds noise_level × a seeded standard normal, or the explicit noise', async () => {
    const got = await intervened({ intervention_type: 'NoiseIntervention', params: { noise_level: 0.5 } }, { base: [[[3]], ALL] }, { options: { seed: 7 } });
    const rng = seededRng(7);
    const eps = Array.from({ length: D }, () => rng.gaussian());
    expect(maxAbsDiff(got[3]!, x[3]!.map((v, i) => v + 0.5 * eps[i]!))).toBeLessThan(1e-5);
    const explicit = Array.from({ length: D }, (_, i) => (i % 2 ? 1 : -1));
    const got2 = await intervened({ intervention_type: 'NoiseIntervention', params: { noise_level: 2, noise: explicit } }, { base: [[[3]], ALL] });
    expect(maxAbsDiff(got2[3]!, x[3]!.map((v, i) => v + 2 * explicit[i]!))).toBeLessThan(1e-5);
    // A noise tensor: one row per location.
    const rows = [explicit, explicit.map((e) => -3 * e)];
    const got3 = await intervened({ intervention_type: 'NoiseIntervention', params: { noise_level: 1, noise: rows } }, { base: [[[1, 3]], ALL] });
    expect(maxAbsDiff(got3[1]!, x[1]!.map((v, i) => v + rows[0]![i]!))).toBeLessThan(1e-5);
    expect(maxAbsDiff(got3[3]!, x[3]!.map((v, i) => v + rows[1]![i]!))).toBeLessThan(1e-5);
  });

  it('every basis-free type\'s reference implementation agrees with the graph', async () => {
    for (const type of INTERVENTION_TYPES.filter((t) => t.slotKind === 'affine' || t.slotKind === 'collect')) {
      const params = type.name === 'NoiseIntervention' ? { noise_level: 1, noise: Array.from({ length: D }, (_, i) => Math.sin(i)) }
        : type.name === 'SigmoidMaskIntervention' ? { masks: Array.from({ length: D }, (_, i) => i - 32), temperature: 8 } : {};
      const loc = type.needsSource ? both([[2]], [[2]]) : { base: [[[2]], ALL] };
      const got = await intervened({ intervention_type: type.name, params }, loc);
      const parsed = type.params.parse(params);
      const want = type.reference(Float32Array.from(x[2]!), type.needsSource ? Float32Array.from(s[2]!) : null, null, parsed as never);
      expect(maxAbsDiff(got[2]!, want), type.name).toBeLessThan(1e-5);
    }
  });
});

describe('head units', () => {
  it('zeroing head 1 at position 2 clears exactly that slice of the merged head outputs', async () => {
    const merged = await collectAll(BASE, 'attention_value_output');
    const r = await runExperiment(model, ExperimentSchema.parse({
      base: { input_ids: BASE },
      config: { representations: [
        { layer: 0, component: 'head_attention_value_output', unit: 'h.pos', intervention_type: 'ZeroIntervention' },
        { layer: 0, component: 'attention_value_output', intervention_type: 'CollectIntervention' }] },
      unit_locations: { base: [[[[1]], [[2]]], ALL] },
    }));
    const got = r.collected[0]!.values;
    const dHead = 16;
    const want = merged.map((row, p) => row.map((v, f) => (p === 2 && Math.floor(f / dHead) === 1 ? 0 : v)));
    expect(maxAbsDiff(got.flat(), want.flat())).toBeLessThan(1e-6);
  });

  it('interchanging a head over all positions takes the source head\'s values (unit h)', async () => {
    const srcMerged = await collectAll(SOURCE, 'attention_value_output');
    const r = await runExperiment(model, ExperimentSchema.parse({
      base: { input_ids: BASE }, sources: [{ input_ids: SOURCE }],
      config: { representations: [
        { layer: 0, component: 'head_attention_value_output', unit: 'h' },
        { layer: 0, component: 'attention_value_output', intervention_type: 'CollectIntervention' }] },
      unit_locations: { 'sources->base': [[[[3]], ALL], [[[3]], ALL]] },
    }));
    const got = r.collected[0]!.values;
    for (let p = 0; p < 4; p++) {
      expect(maxAbsDiff(got[p]!.slice(48, 64), srcMerged[p]!.slice(48, 64))).toBeLessThan(1e-6);
    }
  });
});
