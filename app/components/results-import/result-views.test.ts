// Imported result files become what a screen shows for an in-browser run, with the file's tokens and settings.
import { describe, expect, it } from 'vitest';
import { parseResultFile } from '../../../engine/io/result-files';
import { softmax } from '../../../engine/experiment/top-k';
import { viewForResult, type ImportedView } from './result-views';

const PROV = { engine: 'nnsight', versions: { nnsight: '0.8.1', torch: '2.13' }, model: 'EleutherAI/pythia-6.9b', device: 'ndif', remote: true };

function view(json: unknown): ImportedView {
  const parsed = parseResultFile(json);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const v = viewForResult(parsed.file);
  if ('error' in v) throw new Error(v.error);
  return v;
}

describe('viewForResult', () => {
  it('a trace: the file\'s grids (a missing cell as an empty one), its tokens as the prompt, its subject and answer', () => {
    const v = view({
      tokens: ['The', ' Eiffel', ' Tower', ' is', ' in'], input_ids: [1, 2, 3, 4, 5], subject_range: [1, 3], answer: { id: 9, text: ' Paris' },
      low_score: 0.05, high_score: 0.8, kinds: ['resid', 'mlp'], window: 10, samples: 10,
      scores: { resid: [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [0.1, 0.1], [0.2, 0.2]], mlp: [[0.1, 0.2], [0.3, null], [0.5, 0.6], [0.1, 0.1], [0.2, 0.2]] },
      noise: { kind: 'gaussian', spec: 0.25, scale: 0.25, seed: 7 }, provenance: PROV,
    });
    if (v.op !== 'trace') throw new Error(v.op);
    expect(v.view).toBe('trace');
    expect(v.result.scores.resid![2]).toEqual([0.5, 0.6]);
    expect(v.result.scores.mlp![1]![1]).toBeNaN();
    expect(v.result.scores.attn).toBeUndefined();
    expect(v.result.noise).toMatchObject({ kind: 'gaussian', spec: 0.25, scale: 0.25, seed: 7 });
    expect(v.settings).toEqual({ prompt: 'The Eiffel Tower is in', subject: 'Eiffel Tower', answer: ' Paris', samples: 10, window: 10, kinds: ['resid', 'mlp'], noise: 0.25, seed: 7 });
  });

  it('a sweep: snake_case file fields in the app\'s shape, its tokens as the base prompt', () => {
    const v = view({
      tokens: ['a', ' b'], layers: 3, component: 'mlp_output', metric: 'logit_diff', answer: { id: 3, text: ' Paris' }, base_answer: { id: 4, text: ' Rome' },
      low_score: -2, high_score: 3, values: [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], provenance: PROV,
    });
    if (v.op !== 'sweep') throw new Error(v.op);
    expect(v.result).toEqual({
      tokens: ['a', ' b'], layers: 3, component: 'mlp_output', metric: 'logit_diff', answer: { id: 3, text: ' Paris' },
      baseAnswer: { id: 4, text: ' Rome' }, low: -2, high: 3, values: [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]],
    });
    expect(v.settings).toEqual({ base: 'a b', component: 'mlp_output', metric: 'logit_diff', answer: ' Paris' });
  });

  it('a run: with full logits the next-token table is exact on both sides; without, the top-k lists as they are', () => {
    const logitsO = [2, 1, 0, -1];
    const logitsI = [0, 3, 1, -1];
    const top = (l: number[]) => [1, 0].map((id) => ({ id, token: `t${id}`, prob: softmax(l)[id]!, logit: l[id]! }));
    const file = {
      model: 'gpt2-xl', tokens: { base: ['The', ' cat'], sources: [['A', ' dog']] }, input_ids: { base: [5, 6], sources: [[7, 8]] },
      original: { top_k: top(logitsO), logits: logitsO }, intervened: { top_k: top(logitsI), logits: logitsI }, collected: [], provenance: PROV,
    };
    const v = view(file);
    if (v.op !== 'intervention') throw new Error(v.op);
    expect(v.intervention).toEqual({ base: 'The cat', sources: ['A dog'] });
    expect('table' in v.result && v.result.table.map((r) => [r.id, r.before, r.after])).toEqual([
      [1, softmax(logitsO)[1], softmax(logitsI)[1]], [0, softmax(logitsO)[0], softmax(logitsI)[0]],
    ]);
    const brief = view({ ...file, original: { top_k: top(logitsO) }, intervened: { top_k: top(logitsI) } });
    expect('table' in brief.result).toBe(false);
    expect(brief.carried).toMatch(/^base and source prompts/);
    // A file that carries its experiment document sets the whole Interventions document (the model stays the workbench's).
    const experiment = { model: 'gpt2-xl', base: 'The cat', sources: ['A dog'], config: { representations: [{ layer: 30, component: 'mlp_output' }] } };
    const whole = view({ ...file, experiment });
    if (whole.op !== 'intervention') throw new Error(whole.op);
    expect(whole.intervention).toEqual({ base: 'The cat', sources: ['A dog'], config: experiment.config });
    expect(whole.carried).toBe('the whole experiment document');
  });

  it('kinds the screens cannot draw from a file are named, not shown half', () => {
    for (const json of [
      { prompt_ids: [1], original: { ids: [2], text: 'x' }, intervened: { ids: [3], text: 'y' } },
      { original: { prediction: [1], steps: [] }, intervened: { prediction: [2], steps: [] } },
    ]) {
      const parsed = parseResultFile(json);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      const v = viewForResult(parsed.file);
      expect('error' in v && v.error).toMatch(/^a (generation|GRU run) result/);
    }
  });
});
