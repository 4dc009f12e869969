// `patchbay trace` end to end: the real CLI in a child process, on a bundled model and on a tokenizer-less fixture.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../engine/load/node-resolver.js';
import { patchbay } from '../test-support.js';

const FIXTURE = join(REPO_ROOT, '../shared/testdata/onnx-real/generated/tiny-gpt2/model.onnx');

describe('patchbay trace', () => {
  it('writes the trace JSON for a text prompt on a bundled model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchbay-trace-'));
    const out = join(dir, 'trace.json');
    const noise = join(dir, 'noise.json');
    const r = await patchbay(['trace', '--model', 'gpt2-facts', '--prompt', 'The Eiffel Tower is located in the city of',
      '--subject', 'Eiffel Tower', '--answer', ' Paris', '--samples', '3', '--kinds', 'resid,attn', '--window', '4',
      '--save-noise', noise, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const trace = JSON.parse(readFileSync(out, 'utf8'));
    expect(Object.keys(trace)).toEqual(expect.arrayContaining(['tokens', 'input_ids', 'subject_range', 'answer', 'low_score', 'high_score', 'scores', 'noise']));
    expect(trace.answer.text).toBe(' Paris');
    expect(trace.tokens.join('')).toBe('The Eiffel Tower is located in the city of');
    expect(Object.keys(trace.scores).sort()).toEqual(['attn', 'resid']);
    expect(trace.scores.resid).toHaveLength(trace.input_ids.length);
    expect(trace.scores.attn[0]).toHaveLength(6);
    expect(trace.high_score).toBeGreaterThan(trace.low_score);
    expect(trace.noise).toMatchObject({ kind: 'gaussian', spec: 's3', seed: 1 });
    expect(trace.noise.values).toBeUndefined();
    // the saved noise reproduces the trace when given back explicitly
    const again = await patchbay(['trace', '--model', 'gpt2-facts', '--prompt', 'The Eiffel Tower is located in the city of',
      '--subject', 'Eiffel Tower', '--answer', ' Paris', '--kinds', 'resid,attn', '--window', '4', '--noise-file', noise]);
    expect(again.code).toBe(0);
    const replay = JSON.parse(again.stdout);
    expect(replay.noise.kind).toBe('explicit');
    expect(replay.scores.resid[3][2]).toBeCloseTo(trace.scores.resid[3][2], 6);
  });

  it('runs a trace document (what `patchbay export` takes), its noise file beside it, as the same flags do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchbay-trace-doc-'));
    const noise = join(dir, 'noise.json');
    const flags = ['--input-ids', '5,17,300,42,9', '--subject-range', '1:3', '--samples', '2', '--kinds', 'mlp,resid', '--window', '2'];
    const byFlags = await patchbay(['trace', '--model', FIXTURE, ...flags, '--save-noise', noise]);
    expect(byFlags.code).toBe(0);
    const doc = join(dir, 'trace.json');
    writeFileSync(doc, JSON.stringify({ kind: 'trace', model: FIXTURE, input_ids: [5, 17, 300, 42, 9], subject_range: [1, 3], samples: 2, kinds: ['mlp', 'resid'], window: 2, noise_file: 'noise.json' }));
    const byDoc = await patchbay(['trace', doc]);
    expect(byDoc.stderr).toBe('');
    const a = JSON.parse(byFlags.stdout);
    const b = JSON.parse(byDoc.stdout);
    expect(b.noise.kind).toBe('explicit');
    expect(b.scores).toEqual(a.scores);
    expect(b.low_score).toBe(a.low_score);
    writeFileSync(doc, JSON.stringify({ kind: 'trace', input_ids: [5], subject_range: [0, 1] }));
    const noModel = await patchbay(['trace', doc]);
    expect(noModel.stderr).toMatch(/^patchbay: TRACE_INVALID: no model: pass --model/);
    writeFileSync(doc, JSON.stringify({ kind: 'trace', model: FIXTURE, input_ids: [5], subject_range: [0, 1], window: 0 }));
    expect((await patchbay(['trace', doc])).stderr).toMatch(/^patchbay: TRACE_INVALID: .*window/);
  });

  it('runs a trace document corrupted by token replacement (replace_ids) as --replace-ids does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchbay-trace-replace-'));
    const byFlags = await patchbay(['trace', '--model', FIXTURE, '--input-ids', '5,17,300,42,9', '--subject-range', '1:3', '--replace-ids', '5,17,301,43,9', '--kinds', 'resid', '--window', '2']);
    expect(byFlags.stderr).toBe('');
    const doc = join(dir, 'trace.json');
    writeFileSync(doc, JSON.stringify({ kind: 'trace', model: FIXTURE, input_ids: [5, 17, 300, 42, 9], subject_range: [1, 3], replace_ids: [5, 17, 301, 43, 9], kinds: ['resid'], window: 2 }));
    const byDoc = await patchbay(['trace', doc]);
    expect(byDoc.stderr).toBe('');
    const a = JSON.parse(byFlags.stdout);
    const b = JSON.parse(byDoc.stdout);
    expect(b.noise).toMatchObject({ kind: 'replace', replace_ids: [5, 17, 301, 43, 9], shape: [1, 0, expect.any(Number)] });
    expect(b.samples).toBe(1);
    expect(b.scores).toEqual(a.scores);
    // tokens before the first differing one (2, inside the subject [1, 3)) are not corrupted: they score low exactly
    expect(b.scores.resid[1].every((v: number) => v === b.low_score)).toBe(true);
  });

  it('traces input ids with a subject range on a model without a tokenizer', async () => {
    const r = await patchbay(['trace', '--model', FIXTURE, '--input-ids', '5,17,300,42,9', '--subject-range', '1:3', '--samples', '2', '--kinds', 'mlp']);
    expect(r.code).toBe(0);
    const trace = JSON.parse(r.stdout);
    expect(trace.subject_range).toEqual([1, 3]);
    expect(trace.tokens).toEqual(['<5>', '<17>', '<300>', '<42>', '<9>']);
    expect(trace.scores.mlp).toHaveLength(5);
    expect(trace.answer.text).toBeNull();
  });

  it('fails with one coded line and a non-zero exit', async () => {
    const r = await patchbay(['trace', '--model', 'gpt2-facts', '--prompt', 'The Eiffel Tower is located in the city of', '--subject', 'Louvre']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^patchbay: TRACE_INVALID: .*subject "Louvre" does not occur/);
    const bad = await patchbay(['trace', '--model', FIXTURE, '--input-ids', '5,17', '--subject-range', '1-3']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/^patchbay: TRACE_INVALID: --subject-range must look like B:E/);
  });
});
