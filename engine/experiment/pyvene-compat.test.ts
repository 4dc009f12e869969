// pyvene compatibility: saved configs import (positional arrays, class strings, dict shorthand), unsupported pieces
// are named, experiment → config.json → experiment gives the same result, and "Export as Python" writes a valid
// script naming the same sites, units and locations.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFixture, maxAbsDiff } from '../test-support/fixtures.js';
import { ExperimentSchema } from './experiment-schema.js';
import { runExperiment } from './run-experiment.js';
import { exportPyveneConfig, importPyveneConfig } from './pyvene-config.js';
import { exportScript } from '../export/export-script.js';
import { pytorchModelFor } from '../export/pyvene-pieces.js';

const SAVED = JSON.parse(readFileSync(new URL('./fixtures/pyvene-saved-config.json', import.meta.url), 'utf8'));
const R = Array.from({ length: 64 }, (_, r) => Array.from({ length: 64 }, (_, c) => (c === (r + 5) % 64 ? 1 : 0)));

const DOC = ExperimentSchema.parse({
  model: 'Xenova/gpt2',
  base: { input_ids: [11, 450, 7, 999] },
  sources: [{ input_ids: [3, 14, 15, 92] }, { input_ids: [42, 8, 512, 77] }],
  config: { representations: [
    { layer: 1, component: 'block_output', subspace_partition: [[0, 16], [16, 64]] },
    { layer: 0, component: 'mlp_output', intervention_type: 'RotatedSpaceIntervention', intervention_link_key: 3, params: { rotation: R } },
    { layer: 0, component: 'head_attention_value_output', unit: 'h.pos', intervention_type: 'ZeroIntervention' },
    { layer: 1, component: 'attention_output', intervention_type: 'AdditionIntervention', source_representation: Array.from({ length: 64 }, (_, i) => i / 64) },
  ] },
  unit_locations: { 'sources->base': [[[[3]], [[2]], [[[1]], [[0, 1]]], [[0]]], [[[3]], [[2]], [[[1]], [[0, 1]]], [[0]]]] },
  subspaces: [[[1]], [[0, 1, 2, 3]], null, null],
});

describe('importing pyvene configs', () => {
  it('reads a config.json as pyvene saves it', () => {
    const { config, warnings } = importPyveneConfig(SAVED);
    expect(config.mode).toBe('parallel');
    expect(config.representations).toEqual([
      expect.objectContaining({ layer: 1, component: 'block_output', unit: 'pos', max_number_of_units: 1, intervention_type: 'VanillaIntervention' }),
      expect.objectContaining({ layer: 0, component: 'head_attention_value_output', unit: 'h', intervention_type: 'ZeroIntervention' }),
    ]);
    expect(warnings).toEqual([]);
  });

  it('reads dict representations and one class for all', () => {
    const { config } = importPyveneConfig({ representations: [{ layer: 2, component: 'mlp_output' }], intervention_types: 'pyvene.models.interventions.AdditionIntervention' });
    expect(config.representations[0]).toMatchObject({ layer: 2, component: 'mlp_output', intervention_type: 'AdditionIntervention' });
  });

  it('names what it cannot import', () => {
    expect(() => importPyveneConfig({ representations: [[0, 'block_output']], intervention_types: ['<function <lambda> at 0x7f>'] })).toThrow(/lambda intervention\): Patchbay cannot run Python code/);
    expect(() => importPyveneConfig({ representations: [[0, 'block_output']], intervention_types: ["<class 'my_lab.MagicIntervention'>"] })).toThrow(/custom classes cannot be imported/);
    expect(() => importPyveneConfig({ representations: [{ layer: 0, intervention: { weights: 1 } }] })).toThrow(/intervention object/);
    expect(() => importPyveneConfig({ representations: [{ layer: 0, moe_key: 'x' }] })).toThrow(/moe_key/);
    expect(() => importPyveneConfig({ representations: [] })).toThrow(/no representations/);
  });
});

describe('round trip', () => {
  it('experiment → pyvene config.json → experiment gives the same result', async () => {
    const model = loadFixture('tiny-gpt2');
    const exported = JSON.parse(JSON.stringify(exportPyveneConfig(DOC)));
    expect(exported.representations[0]).toEqual([1, 'block_output', 'pos', 1, null, null, null, [[0, 16], [16, 64]], null, null, null, null, null]);
    expect(exported.intervention_types[1]).toBe("<class 'pyvene.models.interventions.RotatedSpaceIntervention'>");
    const back = ExperimentSchema.parse({ ...DOC, config: importPyveneConfig(exported).config });
    const a = await runExperiment(model, ExperimentSchema.parse({ ...DOC, options: { full_logits: true } }));
    const b = await runExperiment(model, ExperimentSchema.parse({ ...back, options: { full_logits: true } }));
    expect(maxAbsDiff(a.intervened.logits!, b.intervened.logits!)).toBe(0);
    expect(maxAbsDiff(a.intervened.logits!, a.original.logits!)).toBeGreaterThan(1e-3);
  });
});

describe('export as Python', () => {
  const script = exportScript(DOC, 'pyvene');

  it('is valid Python', () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchbay-py-'));
    writeFileSync(join(dir, 'experiment.py'), script);
    // Syntax only (the standard library's compiler; pyvene and torch are not needed for this check).
    execFileSync('python3', ['-m', 'py_compile', join(dir, 'experiment.py')]);
  });

  it('names the same sites, units, locations and subspaces', () => {
    expect(script).toContain('MODEL = "openai-community/gpt2"');
    expect(script).toContain('pv.RepresentationConfig(layer=1, component="block_output", unit="pos", max_number_of_units=1, intervention_type=pv.VanillaIntervention, subspace_partition=[[0, 16], [16, 64]])');
    expect(script).toContain('layer=0, component="head_attention_value_output", unit="h.pos"');
    expect(script).toContain('interventions[1].rotate_layer.weight = torch.tensor(np.array([[0, 0, 0, 0, 0, 1');
    expect(script).toContain('unit_locations = {"sources->base": ([[[3]], [[2]], [[[1]], [[0, 1]]], [[0]]], [[[3]], [[2]], [[[1]], [[0, 1]]], [[0]]])}');
    expect(script).toContain('subspaces = [[[1]], [[0, 1, 2, 3]], None, None]');
    expect(script).toContain('base = on_device({"input_ids": torch.tensor([[11, 450, 7, 999]])})');
  });

  it('maps ONNX repos to their PyTorch models', () => {
    expect(pytorchModelFor('Xenova/pythia-70m')).toBe('EleutherAI/pythia-70m');
    expect(pytorchModelFor('onnx-community/gpt2-ONNX')).toBe('openai-community/gpt2');
    expect(pytorchModelFor('./my-model')).toBe('./my-model');
  });
});
