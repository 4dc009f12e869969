// Every bad experiment gets a coded error that names the field and what was found.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, maxAbsDiff } from '../test-support/fixtures.js';
import type { LoadedModel } from '../load/load-model.js';
import { ExperimentSchema, validateExperiment, type ExperimentInput } from './experiment-schema.js';
import { runExperiment } from './run-experiment.js';
import { interventionTypeName } from '../interventions/registry.js';

let model: LoadedModel;
beforeAll(() => { model = loadFixture('tiny-gpt2'); });

const base: ExperimentInput = {
  base: { input_ids: [1, 2, 3, 4] },
  sources: [{ input_ids: [5, 6, 7, 8] }],
  config: { representations: [{ layer: 1, component: 'block_output' }] },
  unit_locations: { 'sources->base': 3 },
};

async function errorOf(patch: (d: ExperimentInput) => void): Promise<{ code: string; message: string }> {
  const doc = structuredClone(base);
  patch(doc);
  try {
    await runExperiment(model, ExperimentSchema.parse(doc));
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
  throw new Error('expected an error');
}

describe('document validation', () => {
  it('names the JSON path of every problem', () => {
    const r = validateExperiment({ base: '', config: { representations: [{ layer: -1, component: 3, unit: 'x' }] }, extra: 1 });
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['base', 'config.representations[0].layer', 'config.representations[0].component', 'config.representations[0].unit', '(document)']));
  });

  it('fills defaults the way pyvene does', () => {
    const r = validateExperiment({ base: 'hi', config: { representations: [{ layer: 0, component: 'block_output' }] } });
    expect(r.ok && r.value.config.representations[0]).toMatchObject({ unit: 'pos', intervention_type: 'VanillaIntervention', max_number_of_units: 1 });
    expect(r.ok && r.value.config.mode).toBe('parallel');
  });

  it('reads pyvene class strings', () => {
    expect(interventionTypeName("<class 'pyvene.models.interventions.VanillaIntervention'>")).toBe('VanillaIntervention');
    expect(interventionTypeName('pyvene.ZeroIntervention')).toBe('ZeroIntervention');
  });
});

describe('plan errors', () => {
  it.each([
    ['layer out of range', (d: ExperimentInput) => { d.config.representations[0]!.layer = 14; }, 'LAYER_OUT_OF_RANGE', /layer 14 requested; the model has 2 layers \(0–1\)/],
    ['unknown component', (d: ExperimentInput) => { d.config.representations[0]!.component = 'mlp_hidden'; }, 'SITE_UNKNOWN', /unknown component "mlp_hidden"/],
    ['unknown intervention', (d: ExperimentInput) => { d.config.representations[0]!.intervention_type = 'LambdaIntervention'; }, 'INTERVENTION_UNKNOWN', /unknown intervention type "LambdaIntervention"/],
    ['position out of range', (d: ExperimentInput) => { d.unit_locations = { 'sources->base': 9 }; }, 'LOCATION_OUT_OF_RANGE', /position 9 requested; the input has 4 tokens/],
    ['head out of range', (d: ExperimentInput) => {
      d.config.representations[0] = { layer: 0, component: 'head_attention_value_output', unit: 'h' };
      d.unit_locations = { 'sources->base': 7 };
    }, 'LOCATION_OUT_OF_RANGE', /head 7 requested; the model has 4 heads/],
    ['head unit on a component without heads', (d: ExperimentInput) => { d.config.representations[0]!.unit = 'h'; }, 'UNIT_INVALID', /has none/],
    ['missing source', (d: ExperimentInput) => { d.sources = []; }, 'SOURCE_MISSING', /only 0 source input/],
    ['too many sources', (d: ExperimentInput) => { d.sources!.push({ input_ids: [1, 2, 3, 4] }); }, 'SOURCE_MISSING', /2 sources given, but the interventions read 1/],
    ['text without a tokenizer', (d: ExperimentInput) => { d.base = 'The capital of France is'; }, 'TOKENIZER_MISSING', /has no tokenizer.json/],
    ['token id outside the vocabulary', (d: ExperimentInput) => { d.base = { input_ids: [1, 2, 3, 5000] }; }, 'INPUT_INVALID', /token id 5000 is outside the vocabulary \(0–999\)/],
    ['mismatched pairs', (d: ExperimentInput) => { d.unit_locations = { 'sources->base': [[[[0, 1]]], [[[2]]]] }; }, 'SHAPE_MISMATCH', /2 source unit\(s\) but 1 base unit/],
    ['more than one batch row', (d: ExperimentInput) => { d.unit_locations = { 'sources->base': [[[[0], [1]]], [[[0], [1]]]] }; }, 'EXPERIMENT_INVALID', /2 batch rows/],
    ['wrong number of interventions', (d: ExperimentInput) => { d.unit_locations = { 'sources->base': [[[[0]], [[1]]], [[[0]], [[1]]]] }; }, 'EXPERIMENT_INVALID', /has 2 entries; the config has 1 intervention/],
    ['no unit_locations', (d: ExperimentInput) => { delete d.unit_locations; }, 'EXPERIMENT_INVALID', /unit_locations is required/],
    ['subspace beyond the features', (d: ExperimentInput) => { d.subspaces = [[[0, 64]]]; }, 'EXPERIMENT_INVALID', /between 0 and 63/],
    ['constant source of the wrong size', (d: ExperimentInput) => { d.config.representations[0]!.source_representation = [1, 2]; d.sources = []; }, 'SHAPE_MISMATCH', /2 values; the site has 64 features/],
    ['bad intervention parameter', (d: ExperimentInput) => {
      d.config.representations[0] = { layer: 0, component: 'block_output', intervention_type: 'NoiseIntervention', params: { noise_level: 'loud' } };
      d.sources = [];
      d.unit_locations = { base: 1 };
    }, 'INTERVENTION_INVALID', /noise_level/],
    ['serial mode with a sourceless intervention', (d: ExperimentInput) => {
      d.config.mode = 'serial';
      d.config.representations[0]!.intervention_type = 'ZeroIntervention';
    }, 'CONFIG_UNSUPPORTED', /every intervention must read one/],
    ['skip on a component that is not a module output', (d: ExperimentInput) => {
      d.config.representations[0] = { layer: 0, component: 'mlp_activation', intervention_type: 'SkipIntervention' };
      d.sources = [];
      d.unit_locations = { base: 1 };
    }, 'UNIT_INVALID', /SkipIntervention applies to block_output, mlp_output, attention_output/],
    ['rotation of the wrong size', (d: ExperimentInput) => {
      d.config.representations[0] = { layer: 0, component: 'block_output', intervention_type: 'RotatedSpaceIntervention', params: { rotation: [[1, 0], [0, 1]] } };
    }, 'SHAPE_MISMATCH', /rotation is 2×2; expected 64×64/],
    ['a missing side file', (d: ExperimentInput) => {
      d.config.representations[0] = { layer: 0, component: 'block_output', intervention_type: 'RotatedSpaceIntervention', params: { rotation: { file: 'r.f32', shape: [64, 64] } } };
    }, 'INTERVENTION_INVALID', /side file "r.f32" was not provided/],
    ['a partition index beyond the partition', (d: ExperimentInput) => {
      d.config.representations[0]!.subspace_partition = [[0, 32], [32, 64]];
      d.subspaces = [[[2]]];
    }, 'EXPERIMENT_INVALID', /partition 2 requested; subspace_partition has 2 parts/],
    ['interchange_dim too large', (d: ExperimentInput) => { d.config.representations[0]!.params = { interchange_dim: 65 }; }, 'EXPERIMENT_INVALID', /interchange_dim 65 must be between 1 and 64/],
    ['joint rotation with the wrong number of units', (d: ExperimentInput) => {
      d.config.representations[0] = { layer: 0, component: 'block_output', max_number_of_units: 2, intervention_type: 'LowRankRotatedSpaceIntervention', params: { weight: Array.from({ length: 128 }, () => [0.1]) } };
    }, 'SHAPE_MISMATCH', /rotates max_number_of_units = 2 units together, but row 0 has 1/],
  ])('%s', async (_name, patch, code, message) => {
    const e = await errorOf(patch);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });
});

describe('source groups', () => {
  it('read sources in ascending group-key order, as pyvene does', async () => {
    const S0 = [5, 6, 7, 8];
    const S1 = [9, 10, 11, 12];
    const collect = async (ids: number[]) => (await runExperiment(model, ExperimentSchema.parse({
      base: { input_ids: ids }, config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'CollectIntervention' }] }, unit_locations: { base: 1 },
    }))).collected[0]!.values[0]!;
    const r = await runExperiment(model, ExperimentSchema.parse({
      base: { input_ids: [1, 2, 3, 4] }, sources: [{ input_ids: S0 }, { input_ids: S1 }],
      config: { representations: [
        { layer: 0, component: 'block_output', group_key: 7 },
        { layer: 1, component: 'block_input', intervention_type: 'CollectIntervention' },
        { layer: 0, component: 'mlp_output', group_key: 2 },
      ] },
      unit_locations: { 'sources->base': 1 },
    }));
    // group 7 is the second key in ascending order (2, 7): it reads sources[1].
    expect(maxAbsDiff(r.collected[0]!.values[0]!, await collect(S1))).toBeLessThan(1e-6);
    expect(maxAbsDiff(r.collected[0]!.values[0]!, await collect(S0))).toBeGreaterThan(1e-3);
    const e = await errorOf((d) => {
      d.config.representations = [{ layer: 0, component: 'block_output', group_key: 1 }, { layer: 1, component: 'block_output' }];
      d.sources!.push({ input_ids: [1, 2, 3, 4] });
    });
    expect(e.message).toMatch(/every intervention that reads a source needs one/);
  });
});
