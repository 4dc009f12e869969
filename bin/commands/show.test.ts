// `patchbay show` in process: each kind of result file printed as text with its provenance; a bad file fails with the
// JSON path of the problem (RESULT_INVALID) and nothing on stdout.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { patchbayInProcess } from '../test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'patchbay-show-'));
const file = (name: string, json: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
  return path;
};
const PROV = { engine: 'nnsight', versions: { nnsight: '0.8.1' }, model: 'EleutherAI/pythia-6.9b', device: 'ndif', remote: true };
const TRACE = {
  tokens: ['The', ' Eiffel', ' is'], input_ids: [1, 2, 3], subject_range: [1, 2], answer: { id: 9, text: ' Paris' },
  low_score: 0.1, high_score: 0.9, kinds: ['resid'], window: 10, samples: 10, noise: { kind: 'explicit' },
  scores: { resid: [[0.1, 0.1], [0.9, 0.5], [0.1, 0.7]] }, provenance: PROV,
};

describe('patchbay show', () => {
  it('prints a trace as a shaded token × layer grid, subject starred, with the provenance', async () => {
    const r = await patchbayInProcess(['show', file('trace.json', TRACE)]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('causal trace');
    expect(lines[1]).toBe('  from nnsight (nnsight 0.8.1) · model EleutherAI/pythia-6.9b · remote (NDIF)');
    expect(r.stdout).toContain('answer " Paris" (id 9) · high (clean) 0.9000 · low (corrupted) 0.1000');
    expect(lines).toContain('"The"'); // low cells are blank
    expect(lines).toContain('" Eiffel"*  ██▒▒'); // 0.9 → full, 0.5 → half
    expect(lines).toContain('" is"         ▓▓');
  });

  it('prints a sweep\'s numbers with --values, a run\'s top-k and a generation', async () => {
    const sweep = { model: 'gpt2', tokens: ['a', 'b'], layers: 2, component: 'block_output', metric: 'prob', answer: { id: 1, text: ' x' },
      low_score: 0, high_score: 1, values: [[0.25, 0.5], [0.75, 1]] };
    const s = await patchbayInProcess(['show', '--values', file('sweep.json', sweep)]);
    expect(s.stdout).toContain('patching sweep · model gpt2\n  from Patchbay (no provenance recorded)');
    expect(s.stdout).toContain('"b"  0.750 1.000\n');
    const top = [{ id: 5, token: ' Paris', prob: 0.5, logit: 3 }, { id: 6, token: ' Rome', prob: 0.25, logit: 2.5 }];
    const run = { tokens: { base: ['a'], sources: [] }, input_ids: { base: [1], sources: [] }, original: { top_k: top }, intervened: { top_k: [...top].reverse() } };
    const r = await patchbayInProcess(['show', '--top', '1', file('run.json', run)]);
    expect(r.stdout).toContain('  " Paris"         0.5000     3.000    " Rome"          0.2500     2.500\n');
    expect(r.stdout).not.toContain('" Rome"          0.2500     2.500    ');
    const pairs = [{ base: 'a', source: 'b', source_label: ' x', intervened_top: { id: 3, token: ' x' }, match: true },
      { base: 'c', source: 'd', source_label: ' y', intervened_top: { id: 4, token: ' z' }, match: false }];
    const das = await patchbayInProcess(['show', file('das.json', { ...run, pairs, iia: 0.5 })]);
    expect(das.stdout).toContain('pairs: IIA 0.500 (1 of 2 predict the source label)\n  ✓ "a" ← "b": " x" (label " x")\n  ✗ "c" ← "d": " z" (label " y")');
    const gen = { prompt_ids: [1, 2], original: { ids: [3, 4], text: ' c d' }, intervened: { ids: [3, 5], text: ' c e' } };
    expect((await patchbayInProcess(['show', file('gen.json', gen)])).stdout).toContain('original:   " c d"\nintervened: " c e"\n(2 and 2 tokens; the first difference at token 1)');
  });

  it('refuses a bad file naming the JSON path, and a file that is not JSON', async () => {
    const bad = await patchbayInProcess(['show', file('bad.json', { ...TRACE, scores: { resid: [[0.1, 0.1], [0.9], [0.1, 0.7]] } })]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^patchbay: RESULT_INVALID: .*bad\.json: scores\.resid\[1\]: 1 values; expected 2 \(one per layer\) \(in a trace result\)\n$/);
    const nan = await patchbayInProcess(['show', file('nan.json', '{"values": [[NaN]]}')]);
    expect(nan.stderr).toMatch(/not JSON: .* \(the file holds NaN or Infinity, which JSON does not allow\)/);
    expect((await patchbayInProcess(['show', join(dir, 'missing.json')])).stderr).toMatch(/RESULT_INVALID: cannot read .*missing\.json/);
  });
});
