// `patchbay sweep` end to end: the real CLI in a child process (a sweep document with a flag over it) against the
// engine's patchingSweep in this process; and its coded errors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledIds, nodeResolver } from '../../engine/load/node-resolver.js';
import { openModel } from '../../engine/load/open-model.js';
import { patchingSweep } from '../../engine/experiments/sweep.js';
import { patchbay } from '../test-support.js';

describe('patchbay sweep', () => {
  it('writes the sweep grid the engine computes (document + flags)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchbay-sweep-'));
    const doc = join(dir, 'sweep.json');
    const out = join(dir, 'grid.json');
    const settings = { kind: 'sweep', model: 'gpt2-facts', base: 'The Eiffel Tower is located in the city of', source: 'Buckingham Palace is located in the city of', metric: 'prob' };
    writeFileSync(doc, JSON.stringify(settings));
    const r = await patchbay(['sweep', doc, '--component', 'attention_output', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const grid = JSON.parse(readFileSync(out, 'utf8'));
    expect(grid).toMatchObject({ model: 'gpt2-facts', component: 'attention_output', metric: 'prob', layers: 6 });
    const model = await openModel('gpt2-facts', nodeResolver, { bundledIds: bundledIds() });
    const want = await patchingSweep(model, { ...settings, metric: 'prob', component: 'attention_output' });
    expect(grid.answer).toEqual(want.answer);
    expect(grid.tokens).toEqual(want.tokens);
    const worst = Math.max(...want.values.flatMap((row, p) => row.map((v, l) => Math.abs(v - grid.values[p][l]))));
    expect(worst).toBeLessThan(1e-5);
    expect(Math.abs(grid.high_score - want.high)).toBeLessThan(1e-5);
  });

  it('says what is missing', async () => {
    const r = await patchbay(['sweep', '--model', 'gpt2-facts', '--base', 'The Eiffel Tower']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^patchbay: EXPERIMENT_INVALID: source: "source" must be a string/);
  });
});
