// The intervention library in the style of pyvene's own tests: arange base/source vectors through each type's math
// with hand-computed expectations; then every rotated type on a fixture model against an independent computation
// (collect, transform in plain TypeScript, patch as a constant source) to 1e-5; serial vs parallel; skip; linked
// subspaces; partitions; attention-weight patches.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, maxAbsDiff } from '../test-support/fixtures.js';
import type { LoadedModel } from '../load/load-model.js';
import { ExperimentSchema, type ExperimentInput } from '../experiment/experiment-schema.js';
import { runExperiment } from '../experiment/run-experiment.js';
import { lookupIntervention } from './registry.js';
import { orthogonal } from '../test-support/orthogonal.js';
import { boundaryMask } from './boundless-rotated-space.js';
import type { Projection } from './basis.js';

const D = 64;
const BASE = [11, 450, 7, 999];
const SRC = [3, 14, 15, 92];
const SRC2 = [42, 8, 512, 77];


const arange = (n: number, from = 0) => Float32Array.from({ length: n }, (_, i) => from + i);
const applyProjection = (x: Float32Array, s: Float32Array, p: Projection) => {
  const F = x.length;
  const out = Float32Array.from(x);
  for (let j = 0; j < p.k; j++) {
    let c = 0;
    for (let f = 0; f < F; f++) c += (s[f]! - x[f]!) * p.u[f * p.k + j]!;
    for (let f = 0; f < F; f++) out[f]! += c * p.vt[j * F + f]!;
  }
  return out;
};

describe('pyvene-style golden expectations on arange vectors', () => {
  const base = arange(6);
  const source = arange(6, 100);

  it('interchange and friends with interchange_dim and partitions', () => {
    const vanilla = lookupIntervention('VanillaIntervention');
    expect(Array.from(vanilla.reference(base, source, [0, 1, 2], {}))).toEqual([100, 101, 102, 3, 4, 5]);
    expect(Array.from(lookupIntervention('AdditionIntervention').reference(base, source, [4, 5], {}))).toEqual([0, 1, 2, 3, 108, 110]);
    expect(Array.from(lookupIntervention('SubtractionIntervention').reference(base, source, null, {}))).toEqual([-100, -100, -100, -100, -100, -100]);
    expect(Array.from(lookupIntervention('ZeroIntervention').reference(base, null, [1, 3], {}))).toEqual([0, 0, 2, 0, 4, 5]);
  });

  it('a rotation by a coordinate permutation swaps the permuted coordinates', () => {
    // R maps rotated coordinate j to feature (j + 1) mod 6: exchanging rotated coords {0, 1} exchanges features {1, 2}.
    const R = Array.from({ length: 6 }, (_, f) => Array.from({ length: 6 }, (_, j) => (f === (j + 1) % 6 ? 1 : 0)));
    const t = lookupIntervention('RotatedSpaceIntervention');
    const params = t.params.parse({ rotation: R });
    const want = [0, 101, 102, 3, 4, 5];
    expect(Array.from(t.reference(base, source, [0, 1], params))).toEqual(want);
    expect(Array.from(applyProjection(base, source, t.projection!(params, [0, 1], 6)))).toEqual(want);
  });

  it('a low-rank subspace moves only the base\'s component along it', () => {
    const s = Math.SQRT1_2;
    const W = Array.from({ length: 6 }, (_, f) => [f === 0 || f === 1 ? s : 0]); // direction (e0 + e1)/√2
    const t = lookupIntervention('LowRankRotatedSpaceIntervention');
    const params = t.params.parse({ weight: W });
    // (s − x)·w = (100 + 100)/√2; times w adds 100 to features 0 and 1.
    const want = [100, 101, 2, 3, 4, 5];
    const got = applyProjection(base, source, t.projection!(params, null, 6));
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-4);
    expect(maxAbsDiff(t.reference(base, source, null, params), want)).toBeLessThan(1e-4);
  });

  it('boundless masks follow the sigmoid boundary for a fixed β and temperature', () => {
    const t = lookupIntervention('BoundlessRotatedSpaceIntervention');
    const identity = Array.from({ length: 6 }, (_, r) => Array.from({ length: 6 }, (_, c) => (r === c ? 1 : 0)));
    const params = t.params.parse({ rotation: identity, intervention_boundaries: 0.5, temperature: 0.1 });
    const m = boundaryMask(params as never, 6);
    // b·F = 3: coordinates 1 and 2 lie inside (σ ≈ 1), 0 sits on the lower edge (σ(0) = 0.5), 4 and 5 outside.
    expect(m[0]).toBeCloseTo(0.5, 4);
    expect(m[1]).toBeCloseTo(1, 4);
    expect(m[2]).toBeCloseTo(1, 4);
    expect(m[3]).toBeCloseTo(0.5, 4);
    expect(m[5]).toBeCloseTo(0, 4);
    const got = applyProjection(base, source, t.projection!(params, null, 6));
    expect(maxAbsDiff(got, [50, 101, 102, 53, 4, 5])).toBeLessThan(1e-2);
    expect(maxAbsDiff(got, t.reference(base, source, null, params))).toBeLessThan(1e-4);
  });

  it('PCA standardises, exchanges components and undoes it', () => {
    const t = lookupIntervention('PCARotatedSpaceIntervention');
    const comps = orthogonal(6, 3).map((row, r, all) => all.map((rr) => rr[r]!)); // rows orthonormal
    const params = t.params.parse({ components: comps, mean: [1, 2, 3, 4, 5, 6], std: [1, 2, 0.5, 1, 3, 1] });
    expect(maxAbsDiff(applyProjection(base, source, t.projection!(params, [0, 2, 5], 6)), t.reference(base, source, [0, 2, 5], params))).toBeLessThan(1e-3);
    // All components exchanged: the source itself comes back.
    expect(maxAbsDiff(t.reference(base, source, null, params), source)).toBeLessThan(1e-3);
  });
});

describe('on a model', () => {
  let model: LoadedModel;
  let x: number[][];
  let s: number[][];
  const R = orthogonal(D, 11);
  beforeAll(async () => {
    model = loadFixture('tiny-gpt2');
    x = await collect(BASE, 0, 'block_output');
    s = await collect(SRC, 0, 'block_output');
  });

  async function collect(ids: number[], layer: number, component: string): Promise<number[][]> {
    const r = await runExperiment(model, ExperimentSchema.parse({
      base: { input_ids: ids }, config: { representations: [{ layer, component, intervention_type: 'CollectIntervention' }] },
      unit_locations: { base: [[[0, 1, 2, 3]]] },
    }));
    return r.collected[0]!.values;
  }

  /** Runs `reps` (plus a collect of L1.block_input, the intervened tensor) and returns result + the intervened values. */
  async function run(doc: Partial<ExperimentInput> & { config: ExperimentInput['config'] }) {
    const reps = [...doc.config.representations, { layer: 1, component: 'block_input', intervention_type: 'CollectIntervention' }];
    const r = await runExperiment(model, ExperimentSchema.parse({ base: { input_ids: BASE }, sources: [{ input_ids: SRC }], options: { full_logits: true }, ...doc, config: { ...doc.config, representations: reps } }));
    return { result: r, values: r.collected.find((c) => c.intervention === reps.length - 1)!.values };
  }

  /** The independent path: patch `vectors` (one per position) as constant sources with VanillaIntervention. */
  async function patchConstants(vectors: Map<number, number[]>) {
    const reps = [...vectors.values()].map((v) => ({ layer: 0, component: 'block_output', intervention_type: 'VanillaIntervention', source_representation: v }));
    const r = await runExperiment(model, ExperimentSchema.parse({
      base: { input_ids: BASE }, config: { representations: reps }, options: { full_logits: true },
      unit_locations: { base: [...vectors.keys()].map((p) => [[p]]) },
    }));
    return r.intervened.logits!;
  }

  const cases: [string, Record<string, unknown>, unknown][] = [
    ['RotatedSpaceIntervention', { rotation: R }, [[0, 3, 17, 40]]],
    ['RotatedSpaceIntervention', { rotation: R, interchange_dim: 8 }, null],
    ['LowRankRotatedSpaceIntervention', { weight: R.map((row) => row.slice(0, 4)) }, [[1, 2]]],
    ['BoundlessRotatedSpaceIntervention', { rotation: R, intervention_boundaries: 0.3, temperature: 2 }, null],
    ['SigmoidMaskRotatedSpaceIntervention', { rotation: R, masks: Array.from({ length: D }, (_, i) => (i % 3) * 40 - 40), temperature: 20 }, null],
    ['PCARotatedSpaceIntervention', { components: R.map((_, r) => R.map((row) => row[r]!)), mean: Array.from({ length: D }, (_, i) => i / 100), std: Array.from({ length: D }, (_, i) => 1 + i / 64) }, [[5, 6, 7]]],
  ];

  it.each(cases)('%s matches collect → transform in TypeScript → patch (1e-5)', async (name, params, subspace) => {
    const { result, values } = await run({
      config: { representations: [{ layer: 0, component: 'block_output', intervention_type: name, params }] },
      unit_locations: { 'sources->base': [[[[2]], [[0, 1, 2, 3]]], [[[1]], [[0, 1, 2, 3]]]] },
      subspaces: subspace ? [subspace, null] : null,
    });
    const type = lookupIntervention(name);
    const parsed = type.params.parse(params);
    const coords = subspace ? (subspace as number[][])[0]! : (params.interchange_dim ? Array.from({ length: params.interchange_dim as number }, (_, i) => i) : null);
    const want = type.reference(Float32Array.from(x[1]!), Float32Array.from(s[2]!), coords, parsed as never);
    expect(maxAbsDiff(values[1]!, want)).toBeLessThan(1e-5);
    expect(maxAbsDiff(values[0]!, x[0]!)).toBeLessThan(1e-6);
    const independent = await patchConstants(new Map([[1, Array.from(want)]]));
    expect(maxAbsDiff(result.intervened.logits!, independent)).toBeLessThan(1e-5);
    expect(maxAbsDiff(result.intervened.logits!, result.original.logits!)).toBeGreaterThan(1e-4);
  });

  it.each([
    ['RotatedSpaceIntervention', { rotation: orthogonal(2 * D, 5) }, [[1, 64, 100]]],
    ['LowRankRotatedSpaceIntervention', { weight: orthogonal(2 * D, 6).map((row) => row.slice(0, 3)) }, null],
  ] as [string, Record<string, unknown>, number[][] | null][])('%s over two units jointly (max_number_of_units = 2), as pyvene flattens them', async (name, params, subspace) => {
    const { values } = await run({
      config: { representations: [{ layer: 0, component: 'block_output', max_number_of_units: 2, intervention_type: name, params }] },
      unit_locations: { 'sources->base': [[[[0, 2]], [[0, 1, 2, 3]]], [[[1, 3]], [[0, 1, 2, 3]]]] },
      subspaces: subspace ? [subspace, null] : null,
    });
    const type = lookupIntervention(name);
    const cat = (a: number[], b: number[]) => Float32Array.from([...a, ...b]);
    const want = type.reference(cat(x[1]!, x[3]!), cat(s[0]!, s[2]!), subspace?.[0] ?? null, type.params.parse(params) as never);
    expect(maxAbsDiff(values[1]!, want.subarray(0, D))).toBeLessThan(1e-5);
    expect(maxAbsDiff(values[3]!, want.subarray(D))).toBeLessThan(1e-5);
    expect(maxAbsDiff(values[0]!, x[0]!)).toBeLessThan(1e-6);
  });

  it('linked interventions share one rotation and both subspace swaps apply (no overwrite)', async () => {
    const s2 = await collect(SRC2, 0, 'block_output');
    const { values } = await run({
      sources: [{ input_ids: SRC }, { input_ids: SRC2 }],
      config: { representations: [
        { layer: 0, component: 'block_output', intervention_type: 'RotatedSpaceIntervention', intervention_link_key: 0, params: { rotation: R } },
        { layer: 0, component: 'block_output', intervention_type: 'RotatedSpaceIntervention', intervention_link_key: 0 },
      ] },
      unit_locations: { 'sources->base': [[[[3]], [[3]], [[0, 1, 2, 3]]], [[[3]], [[3]], [[0, 1, 2, 3]]]] },
      subspaces: [[[0, 1, 2]], [[10, 11]], null],
    });
    const type = lookupIntervention('RotatedSpaceIntervention');
    const p = type.params.parse({ rotation: R });
    const a = type.reference(Float32Array.from(x[3]!), Float32Array.from(s[3]!), [0, 1, 2], p as never);
    const b = type.reference(Float32Array.from(x[3]!), Float32Array.from(s2[3]!), [10, 11], p as never);
    const want = x[3]!.map((v, i) => a[i]! + b[i]! - v);
    expect(maxAbsDiff(values[3]!, want)).toBeLessThan(1e-5);
    // Without the link the second has no rotation of its own.
    await expect(run({
      sources: [{ input_ids: SRC }, { input_ids: SRC2 }],
      config: { representations: [
        { layer: 0, component: 'block_output', intervention_type: 'RotatedSpaceIntervention', params: { rotation: R } },
        { layer: 0, component: 'block_output', intervention_type: 'RotatedSpaceIntervention' },
      ] },
      unit_locations: { 'sources->base': [[[[3]], [[3]], [[0]]], [[[3]], [[3]], [[0]]]] },
    })).rejects.toThrow(/rotation/);
  });

  it('subspace_partition picks feature ranges; group_key shares one source', async () => {
    const { values } = await run({
      config: { representations: [
        { layer: 0, component: 'block_output', subspace_partition: [[0, 8], [8, 16], [16, 64]], group_key: 'g' },
        { layer: 0, component: 'block_output', subspace_partition: [[0, 8], [8, 16], [16, 64]], group_key: 'g' },
      ] },
      unit_locations: { 'sources->base': [[[[0]], [[2]], [[0, 1, 2, 3]]], [[[0]], [[2]], [[0, 1, 2, 3]]]] },
      subspaces: [[[1]], [[0, 2]], null],
    });
    const want0 = x[0]!.map((v, i) => (i >= 8 && i < 16 ? s[0]![i]! : v));
    const want2 = x[2]!.map((v, i) => (i < 8 || i >= 16 ? s[2]![i]! : v));
    expect(maxAbsDiff(values[0]!, want0)).toBeLessThan(1e-6);
    expect(maxAbsDiff(values[2]!, want2)).toBeLessThan(1e-6);
  });

  it('skip replaces a block\'s output by its input', async () => {
    const input = await collect(BASE, 0, 'block_input');
    const { values } = await run({
      sources: [],
      config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'SkipIntervention' }] },
      unit_locations: { base: [[[2]], [[0, 1, 2, 3]]] },
    });
    expect(maxAbsDiff(values[2]!, input[2]!)).toBeLessThan(1e-6);
    expect(maxAbsDiff(values[1]!, x[1]!)).toBeLessThan(1e-6);
  });

  it('serial chains sources (source_0 → source_1 → base) and differs from parallel', async () => {
    const reps = [
      { layer: 0, component: 'block_output', intervention_type: 'VanillaIntervention' },
      { layer: 1, component: 'block_output', intervention_type: 'VanillaIntervention' },
    ];
    const doc = (mode: 'serial' | 'parallel') => ExperimentSchema.parse({
      base: { input_ids: BASE }, sources: [{ input_ids: SRC }, { input_ids: SRC2 }],
      config: { mode, representations: reps }, options: { full_logits: true },
      unit_locations: mode === 'serial' ? { 'source_0->source_1': [1, 1], 'source_1->base': [3, 3] } : { 'sources->base': [[[[1]], [[3]]], [[[1]], [[3]]]] },
    });
    const serial = await runExperiment(model, doc('serial'));
    const parallel = await runExperiment(model, doc('parallel'));
    expect(maxAbsDiff(serial.intervened.logits!, parallel.intervened.logits!)).toBeGreaterThan(1e-4);
    // By hand: patch source_0 into source_1 at L0 pos 1, read L1.block_output pos 3 there, patch it into the base.
    const hop = await runExperiment(model, ExperimentSchema.parse({
      base: { input_ids: SRC2 }, sources: [{ input_ids: SRC }],
      config: { representations: [reps[0]!, { layer: 1, component: 'block_output', intervention_type: 'CollectIntervention' }] },
      unit_locations: { 'sources->base': [[[[1]], [[3]]], [[[1]], [[3]]]] },
    }));
    const carried = hop.collected[0]!.values[0]!;
    const last = await runExperiment(model, ExperimentSchema.parse({
      base: { input_ids: BASE },
      config: { representations: [{ layer: 1, component: 'block_output', source_representation: carried }] },
      unit_locations: { base: 3 }, options: { full_logits: true },
    }));
    expect(maxAbsDiff(serial.intervened.logits!, last.intervened.logits!)).toBeLessThan(1e-5);
  });

  it('attention_weight patches replace probabilities as given (no renormalisation)', async () => {
    const r = await runExperiment(model, ExperimentSchema.parse({
      base: { input_ids: BASE },
      config: { representations: [
        { layer: 0, component: 'attention_weight', unit: 'h.pos', intervention_type: 'VanillaIntervention', source_representation: [0, 2, 0, 0] },
        { layer: 0, component: 'head_value_output', unit: 'h.pos', intervention_type: 'CollectIntervention' },
        { layer: 0, component: 'head_attention_value_output', unit: 'h.pos', intervention_type: 'CollectIntervention' },
      ] },
      unit_locations: { base: [[[[1]], [[3]]], [[[1]], [[1]]], [[[1]], [[3]]]] },
    }));
    const v1 = r.collected[0]!.values[0]!; // head 1, position 1's value
    const z = r.collected[1]!.values[0]!; // head 1, position 3's output = 2 · v1
    expect(maxAbsDiff(z, v1.map((v) => 2 * v))).toBeLessThan(1e-5);
  });
});
