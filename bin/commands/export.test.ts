// `patchbay export` in process: the script it writes is the engine's exportScript output; a bad target is refused.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportScript } from '../../engine/export/export-script.js';
import { main } from '../cli.js';

const RUN = {
  model: 'Xenova/gpt2', base: 'The Eiffel Tower is in', sources: ['The Colosseum is in'],
  config: { representations: [{ layer: 2, component: 'block_output', intervention_type: 'VanillaIntervention' }] },
  unit_locations: { 'sources->base': 3 },
};

describe('patchbay export', () => {
  it('patchbay export writes the script (in process)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchbay-export-'));
    writeFileSync(join(dir, 'exp.json'), JSON.stringify(RUN));
    expect(await main(['export', '--to', 'nnsight', join(dir, 'exp.json'), '--out', join(dir, 'run.py')])).toBe(0);
    expect(readFileSync(join(dir, 'run.py'), 'utf8')).toBe(exportScript(RUN, 'nnsight'));
    expect(await main(['export', '--to', 'torchscript', join(dir, 'exp.json')])).toBe(1);
  });

  it('a trace document\'s noise_file is read beside the document and carried as noise_values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchbay-export-'));
    const trace = { kind: 'trace', model: 'gpt2-facts', prompt: 'The Eiffel Tower is in', subject: 'Eiffel Tower' };
    writeFileSync(join(dir, 'noise.json'), JSON.stringify([[[0.25, -0.5]]]));
    writeFileSync(join(dir, 'trace.json'), JSON.stringify({ ...trace, noise_file: 'noise.json' }));
    expect(await main(['export', '--to', 'pyvene', join(dir, 'trace.json'), '--out', join(dir, 'trace.py')])).toBe(0);
    expect(readFileSync(join(dir, 'trace.py'), 'utf8')).toBe(exportScript({ ...trace, noise_values: [[[0.25, -0.5]]] }, 'pyvene'));
    writeFileSync(join(dir, 'noise.json'), '{"samples": 3}');
    expect(await main(['export', '--to', 'pyvene', join(dir, 'trace.json')])).toBe(1);
  });

  it('a trained document reads the trained JSON beside it and the float32 side file beside that', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchbay-export-'));
    const bytes = new Uint8Array(new Float32Array([0.6, 0.8, 0.8, -0.6]).buffer);
    const trained = { format: 1, intervention_type: 'LowRankRotatedSpaceIntervention', layer: 1, component: 'block_output', position: 2, rank: 2,
      weight: { file: 'cell.f32', shape: [2, 2], offset: 0 }, params: {} };
    writeFileSync(join(dir, 'cell.json'), JSON.stringify(trained));
    writeFileSync(join(dir, 'cell.f32'), bytes);
    const doc = { kind: 'trained', base: 'a b c', source: 'd e f' };
    writeFileSync(join(dir, 'das.json'), JSON.stringify({ ...doc, trained: 'cell.json' }));
    expect(await main(['export', '--to', 'pyvene', join(dir, 'das.json'), '--out', join(dir, 'das.py')])).toBe(0);
    const script = readFileSync(join(dir, 'das.py'), 'utf8');
    expect(script).toBe(exportScript({ ...doc, trained }, 'pyvene', { files: { 'cell.f32': bytes } }));
    expect(script).toContain('rotate_layer.weight = torch.tensor(np.array([[0.6000000238418579, 0.800000011920929], [0.800000011920929, -0.6000000238418579]])');
    writeFileSync(join(dir, 'das.json'), JSON.stringify({ ...doc, trained: 'missing.json' }));
    expect(await main(['export', '--to', 'pyvene', join(dir, 'das.json')])).toBe(1);
  });
});
