// The result-file parser: each kind is recognised and validated, and bad files fail with the JSON path of the problem.
import { describe, expect, it } from 'vitest';
import { detectResultKind, parseResultFile, parseResultText, provenanceLine, resultFileError } from './result-files.js';

const PROV = { engine: 'pyvene', versions: { pyvene: '0.1.8', torch: '2.13' }, model: 'gpt2', device: 'cpu', remote: false };
const TOP = [{ id: 3, token: ' Paris', prob: 0.5, logit: 2 }];
const RUN = {
  model: 'gpt2', tokens: { base: ['a', 'b'], sources: [['c', 'd']] }, input_ids: { base: [1, 2], sources: [[3, 4]] },
  original: { top_k: TOP }, intervened: { top_k: TOP, logits: [0.1, 0.2] }, collected: [], provenance: PROV,
};
const SWEEP = {
  tokens: ['a', 'b'], layers: 3, component: 'block_output', metric: 'prob', answer: { id: 3, text: ' Paris' },
  base_answer: { id: 4, text: ' Rome' }, low_score: 0.1, high_score: 0.9, values: [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]],
};
const TRACE = {
  tokens: ['The', ' Eiffel', ' is'], input_ids: [1, 2, 3], subject_range: [1, 2], answer: { id: 3, text: ' Paris' },
  low_score: 0.1, high_score: 0.9, kinds: ['resid', 'mlp'], window: 10, samples: 10,
  scores: { resid: [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], mlp: [[0.1, 0.2], [0.3, 0.4], [0.5, null]] },
  noise: { kind: 'gaussian', seed: 1 },
};
const GENERATE = { prompt_ids: [1, 2], original: { ids: [5, 6], text: ' x y' }, intervened: { ids: [7], text: ' z' } };
const GRU = { original: { prediction: [1], steps: [{ t: 0, top_k: TOP }] }, intervened: { prediction: [2], steps: [{ t: 0, top_k: TOP }] } };

describe('parseResultFile', () => {
  it('recognises and validates every kind, keeping the provenance', () => {
    for (const [kind, json] of [['run', RUN], ['sweep', SWEEP], ['trace', TRACE], ['generate', GENERATE], ['gru-run', GRU]] as const) {
      const r = parseResultFile(json);
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (r.ok) expect(r.file.kind).toBe(kind);
    }
    const run = parseResultFile(RUN);
    expect(run.ok && run.file.kind === 'run' && run.file.result.provenance?.engine).toBe('pyvene');
  });

  it('names the JSON path of what is wrong', () => {
    const bad = (json: unknown) => {
      const r = parseResultFile(json);
      if (r.ok) throw new Error('accepted');
      return r.errors;
    };
    expect(bad({ ...RUN, original: { top_k: [{ id: -1, token: 'x', prob: 0, logit: 0 }] } })[0]!.path).toBe('original.top_k[0].id');
    expect(bad({ ...SWEEP, values: [[0.1, 0.2, 0.3], [0.4]] })[0]).toEqual({ path: 'values[1]', message: '1 values; expected 3 (one per layer) (in a sweep result)' });
    expect(bad({ ...SWEEP, metric: 'loss' })[0]!.path).toBe('metric');
    expect(bad({ ...TRACE, subject_range: [2, 9] })[0]!.path).toBe('subject_range');
    expect(bad({ ...TRACE, kinds: ['resid', 'attn'] })[0]).toMatchObject({ path: 'scores.attn', message: expect.stringContaining('no attn grid') });
    expect(bad({ ...TRACE, scores: { ...TRACE.scores, resid: [[0.1, 0.2]] } })[0]!.path).toBe('scores.resid');
    expect(bad({ ...GENERATE, original: { ids: ['a'] } })[0]!.path).toBe('original.ids[0]');
    expect(bad({ ...RUN, provenance: { engine: 'pyvene' } })[0]!.path).toBe('provenance.model');
    const pair = { base: 'a', source: 'b', source_label: ' x', intervened_top: { id: 3, token: ' x' }, match: true };
    expect(parseResultFile({ ...RUN, pairs: [pair], iia: 1 }).ok).toBe(true);
    expect(bad({ ...RUN, pairs: [pair], iia: 1.5 })[0]!.path).toBe('iia');
    expect(bad([1, 2])[0]!.message).toMatch(/not a Patchbay result file/);
  });

  it('reads text, refusing Python\'s NaN with a hint; errors become one coded error', () => {
    expect(parseResultText(JSON.stringify(TRACE)).ok).toBe(true);
    const nan = parseResultText('{"values": [[NaN]], "layers": 1}');
    expect(!nan.ok && nan.errors[0]!.message).toMatch(/NaN or Infinity/);
    const e = resultFileError([{ path: 'values[1]', message: 'short' }, { path: 'x', message: 'y' }], 'r.json');
    expect(e.code).toBe('RESULT_INVALID');
    expect(e.message).toBe('r.json: values[1]: short (and 1 more)');
  });

  it('detects kinds from keys and describes provenance in one line', () => {
    expect(detectResultKind({ scores: {} })).toBe('trace');
    expect(detectResultKind({ hello: 1 })).toBeNull();
    expect(provenanceLine(PROV)).toBe('pyvene (pyvene 0.1.8, torch 2.13) · model gpt2 · device cpu');
    expect(provenanceLine(undefined)).toMatch(/no provenance/);
  });
});
