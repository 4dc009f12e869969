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
});
