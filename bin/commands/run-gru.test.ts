// `patchbay run` on a recurrent network: a GRU experiment document (symbol sequences, unit t) prints the top-k
// output at every step for the original and the intervened run.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { patchbayInProcess as patchbay } from '../test-support.js';

describe('patchbay run on a GRU', () => {
  it('prints original.steps and intervened.steps; the state patch at t = 2 carries to every later step', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'patchbay-gru-')), 'exp.json');
    writeFileSync(file, JSON.stringify({
      model: 'gru-recall', base: '3 1 5 0 7 2 6 4', sources: ['6 4 2 7 1 0 3 5'],
      config: { representations: [{ layer: 1, component: 'block_output', unit: 't' }] },
      unit_locations: { 'sources->base': 2 },
    }));
    const r = await patchbay(['run', file, '--top-k', '2']);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.original.steps).toHaveLength(8);
    expect(out.original.steps[0].top_k).toHaveLength(2);
    expect(out.original.prediction).toEqual([3, 1, 5, 5, 5, 5, 5, 5]);
    expect(out.intervened.prediction.slice(0, 2)).toEqual([3, 1]);
    expect(out.intervened.prediction.slice(2)).toEqual([2, 2, 2, 2, 2, 2]);
  });
});
