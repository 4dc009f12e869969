// The exported scripts (Python-free checks; `npm run check:engines` runs them in pyvene and nnsight): the command-line
// contract, the document carried, the model mapping, and what each target refuses. `patchbay export`: bin/commands/export.test.ts.
import { describe, expect, it } from 'vitest';
import { exportScript } from './export-script.js';

const RUN = {
  model: 'Xenova/gpt2', base: 'The Eiffel Tower is in', sources: ['The Colosseum is in'],
  config: { representations: [{ layer: 2, component: 'block_output', intervention_type: 'VanillaIntervention' }] },
  unit_locations: { 'sources->base': 3 },
};
const SWEEP = { kind: 'sweep', model: 'onnx-community/pythia-70m-ONNX', base: 'a b c', source: 'd e f' };

describe('exportScript', () => {
  it('pyvene run: the command line, the mapped model, the experiment and the result format', () => {
    const s = exportScript(RUN, 'pyvene');
    expect(s).toContain('MODEL = "openai-community/gpt2"');
    for (const flag of ['"--model"', '"--remote"', '"--out", required=True', '"--device"']) expect(s).toContain(`ap.add_argument(${flag}`);
    expect(s).toContain('pv.RepresentationConfig(layer=2, component="block_output"');
    expect(s).toContain('unit_locations = {"sources->base": 3}');
    expect(s).toMatch(/"original": prediction\(original\[0\], K, FULL\)/);
    expect(s).toContain('"provenance": provenance(PYVENE_VERSION)');
    expect(s).toMatch(/if args\.remote:\n\s+sys\.exit\("pyvene runs the model on this machine/);
  });

  it('nnsight run: NDIF behind --remote with the key from the environment; the steps as data', () => {
    const s = exportScript(RUN, 'nnsight');
    expect(s).toContain('os.environ.get("NDIF_API_KEY")');
    expect(s).toContain('lm.trace(ids, remote=args.remote)');
    expect(s).toContain('STEPS = [{"layer": 2, "component": "block_output", "type": "VanillaIntervention", "src": [3], "tgt": [3], "source": 0}]');
  });

  it('sweeps export for both targets with the Pythia origin', () => {
    for (const target of ['pyvene', 'nnsight'] as const) {
      const s = exportScript(SWEEP, target);
      expect(s).toContain('MODEL = "EleutherAI/pythia-70m"');
      expect(s).toContain('write(sweep_result(values,');
      expect(s).toContain('"low_score": score(base_logits), "high_score": score(source_logits)');
    }
  });

  it('nnsight refuses what it does not carry, naming it; invalid documents are coded errors', () => {
    const rotated = { ...RUN, config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'RotatedSpaceIntervention' }] } };
    expect(() => exportScript(rotated, 'nnsight')).toThrow(/does not carry intervention 0: RotatedSpaceIntervention \(use --to pyvene\)/);
    const heads = { ...RUN, config: { representations: [{ layer: 0, component: 'head_attention_value_output', unit: 'h', intervention_type: 'VanillaIntervention' }] } };
    expect(() => exportScript(heads, 'nnsight')).toThrow(/unit "h"/);
    expect(() => exportScript({ base: 3 }, 'pyvene')).toThrow(/EXPERIMENT_INVALID|base/);
    expect(() => exportScript({ kind: 'sweep', base: 'a' }, 'nnsight')).toThrow(/"source" must be a string/);
  });

});
