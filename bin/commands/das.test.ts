// `patchbay das` end to end: the real CLI in a child process on the bundled Pythia-style model (a few pairs, a few
// steps), the result JSON of the contract, saved interventions, and coded errors for bad input.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { patchbay } from '../test-support.js';

const pair = (b: string, s: string, bl: string, sl: string) => ({ base: `${b} walked because`, source: `${s} walked because`, base_label: bl, source_label: sl });
const PAIRS = [
  pair('James', 'Sarah', ' he', ' she'), pair('Sarah', 'James', ' she', ' he'), pair('David', 'Mary', ' he', ' she'),
  pair('Mary', 'David', ' she', ' he'), pair('Paul', 'Emily', ' he', ' she'), pair('Emily', 'Paul', ' she', ' he'),
  pair('Henry', 'Grace', ' he', ' she'), pair('Grace', 'Henry', ' she', ' he'), pair('Peter', 'Alice', ' he', ' she'),
  pair('Alice', 'Peter', ' she', ' he'),
];

describe('patchbay das', () => {
  it('writes cells with iia, probe_accuracy and probe_control, and saves the trained interventions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchbay-das-'));
    writeFileSync(join(dir, 'pairs.json'), JSON.stringify(PAIRS));
    const out = join(dir, 'result.json');
    const r = await patchbay(['das', '--model', 'pythia-facts', '--pairs', join(dir, 'pairs.json'), '--layers', '0,3',
      '--positions', 'last', '--steps', '3', '--seed', '1', '--threads', '1', '--save-dir', dir, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result).toMatchObject({ train_pairs: 8, test_pairs: 2, steps: 3, rank: 1, component: 'block_output' });
    expect(result.seconds).toBeGreaterThan(0);
    expect(result.cells.map((c: { layer: number; position: number }) => [c.layer, c.position])).toEqual([[0, -1], [3, -1]]);
    for (const c of result.cells) {
      for (const k of ['iia', 'probe_accuracy', 'probe_control']) expect(c[k]).toBeGreaterThanOrEqual(0);
      for (const k of ['iia', 'probe_accuracy', 'probe_control']) expect(c[k]).toBeLessThanOrEqual(1);
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('L3.block_output.pos-1')).sort())
      .toEqual(['L3.block_output.pos-1.f32', 'L3.block_output.pos-1.json', 'L3.block_output.pos-1.pyvene.json']);
  }, 120_000);

  it('refuses labels of more than one token, unequal pair lengths and malformed flags with coded errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchbay-das-'));
    const file = join(dir, 'pairs.json');
    writeFileSync(file, JSON.stringify([{ ...PAIRS[0], source_label: ' she walked' }, PAIRS[1]]));
    const r1 = await patchbay(['das', '--model', 'pythia-facts', '--pairs', file, '--steps', '1']);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/^patchbay: TRAINING_INVALID: \[0\]\.source_label: pair 0: source_label " she walked" is 2 tokens/);
    writeFileSync(file, JSON.stringify([{ ...PAIRS[0], source: 'Alexander walked because' }, PAIRS[1]]));
    const r2 = await patchbay(['das', '--model', 'pythia-facts', '--pairs', file, '--steps', '1']);
    expect(r2.stderr).toMatch(/TRAINING_INVALID: \[0\]: pair 0: base is 5 tokens and source 7/);
    const r3 = await patchbay(['das', '--model', 'pythia-facts', '--pairs', file, '--layers', 'some']);
    expect(r3.stderr).toMatch(/TRAINING_INVALID: --layers must be all or indices like 0,2,5; got "some"/);
  }, 60_000);
});
