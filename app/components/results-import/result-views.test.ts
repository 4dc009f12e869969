// Imported result files become what a screen shows for an in-browser run, with the file's tokens and settings
// (trace, sweep, run, generation with and without per-token probabilities).
import { describe, expect, it } from 'vitest';
import { parseResultFile } from '../../../engine/io/result-files';
import { softmax } from '../../../engine/experiment/top-k';
import { defaultExperiment } from '../../link/schema';
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

  it('a generation with tokens: both continuations as an in-browser run draws them, the document as Generate settings', () => {
    const tokens = (ids: number[], probs: number[]) => ids.map((id, i) => ({ id, text: ` w${id}`, prob: probs[i]!, extra: 'dropped' }));
    const experiment = {
      kind: 'generate', model: 'gpt2-xl', prompt: 'John opened the letter and felt', steer: 'L1-2.mlp_output:4:diff=So happy|Great/So sad',
      max_new_tokens: 3, intervene_on: 'generated', stop_at_eos: true,
    };
    const file = {
      prompt_ids: [5, 6, 7], original: { ids: [8, 9, 10], text: ' w8 w9 w10', tokens: tokens([8, 9, 10], [0.5, 0.25, 0.125]) },
      intervened: { ids: [8, 11, 12], text: ' w8 w11 w12', tokens: tokens([8, 11, 12], [0.5, 0.75, 1]) }, model: 'gpt2-xl', provenance: PROV, experiment,
    };
    const v = view(file);
    if (v.op !== 'generation') throw new Error(v.op);
    expect(v.view).toBe('generate');
    expect(v.result).toEqual({
      prompt_ids: [5, 6, 7], cached: false, prompt: experiment.prompt, hasProbs: true, label: 'Steered (× 4.0)',
      original: { ids: [8, 9, 10], text: ' w8 w9 w10', tokens: [{ id: 8, text: ' w8', prob: 0.5 }, { id: 9, text: ' w9', prob: 0.25 }, { id: 10, text: ' w10', prob: 0.125 }] },
      intervened: { ids: [8, 11, 12], text: ' w8 w11 w12', tokens: [{ id: 8, text: ' w8', prob: 0.5 }, { id: 11, text: ' w11', prob: 0.75 }, { id: 12, text: ' w12', prob: 1 }] },
    });
    expect(v.settings).toEqual({
      prompt: experiment.prompt, use: 'steer', max_new_tokens: 3, intervene_on: 'generated', stop_at_eos: true, temperature: 0,
      steer: { ...defaultExperiment().generate.steer, kind: 'diff', positive: ['So happy', 'Great'], negative: ['So sad'], layers: [1, 2], component: 'mlp_output', coefficient: 4 },
    });
    expect(v.carried).toBe('prompt, steering vector, new tokens, where it applies and greedy decoding of the generation document');
    // Every layer ("L*") needs the open model's layer count; a trained direction is a file the screen loads itself.
    const every = (steer: unknown, nLayers: number | null) => viewFor({ ...file, experiment: { ...experiment, steer } }, nLayers);
    expect(every('L*.block_output:-2:token= happy', 4).settings.steer).toMatchObject({ kind: 'token', token: ' happy', layers: [0, 1, 2, 3], coefficient: -2 });
    const none = every({ layers: '*', component: 'block_output', coefficient: 1, token: ' happy' }, null);
    expect(none.settings.steer).toBeUndefined();
    expect(none.carried).toMatch(/every layer of the file's model/);
    expect(every('L2.block_output:3:trained=das/L2_p5.json#1', 4).carried).toMatch(/trained intervention \(das\/L2_p5\.json\)/);
    // A generation with an experiment document's interventions: its base is the prompt; the document stays in the file.
    const withDoc = viewFor({ ...file, experiment: { kind: 'generate', experiment: { base: 'The cat', config: {} }, max_new_tokens: 3 } }, 4);
    expect(withDoc.settings).toEqual({ prompt: 'The cat', max_new_tokens: 3, temperature: 0 });
    expect(withDoc.result.label).toBe('Intervened');
    expect(withDoc.carried).toMatch(/not set on the Interventions screen$/);
  });

  it('a generation without tokens (an older file, no document) still shows: the continuations\' text, nothing carried', () => {
    const v = view({ prompt_ids: [1, 2, 3], original: { ids: [2], text: 'x' }, intervened: { ids: [3], text: 'y' } });
    if (v.op !== 'generation') throw new Error(v.op);
    expect(v.result).toMatchObject({ hasProbs: false, prompt: null, label: 'Intervened', original: { ids: [2], text: 'x', tokens: [] }, intervened: { ids: [3], text: 'y', tokens: [] } });
    expect(v.settings).toEqual({});
    expect(v.carried).toMatch(/^nothing: the file holds the prompt as 3 token ids/);
    // A run document (generate --experiment) gives its base as the prompt.
    const run = view({ prompt_ids: [1], original: { ids: [2], text: 'x' }, intervened: { ids: [3], text: 'y' }, experiment: { base: 'Hello', config: {} } });
    expect(run.op === 'generation' && run.result.prompt).toBe('Hello');
  });

  it('malformed per-token fields are refused by the schema with their JSON path', () => {
    const ok = { prompt_ids: [1], original: { ids: [2, 3], text: 'ab', tokens: [{ id: 2, text: 'a', prob: 0.5 }, { id: 3, text: 'b', prob: 0.5 }] }, intervened: { ids: [4], text: 'c' } };
    const paths = (json: unknown) => { const p = parseResultFile(json); return p.ok ? [] : p.errors.map((e) => e.path); };
    expect(paths(ok)).toEqual([]);
    expect(paths({ ...ok, original: { ...ok.original, tokens: ok.original.tokens.slice(1) } })).toContain('original.tokens');
    expect(paths({ ...ok, original: { ...ok.original, tokens: [ok.original.tokens[0], { id: 9, text: 'b', prob: 0.5 }] } })).toEqual(['original.tokens[1].id']);
    expect(paths({ ...ok, intervened: { ids: [4], text: 'c', tokens: [{ id: 4, text: 'c', prob: 1.5 }] } })).toEqual(['intervened.tokens[0].prob']);
  });

  it('a GRU run is named, not shown half', () => {
    const parsed = parseResultFile({ original: { prediction: [1], steps: [] }, intervened: { prediction: [2], steps: [] } });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const v = viewForResult(parsed.file);
    expect('error' in v && v.error).toMatch(/^a GRU run result/);
  });
});

function viewFor(json: unknown, nLayers: number | null): Extract<ImportedView, { op: 'generation' }> {
  const parsed = parseResultFile(json);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const v = viewForResult(parsed.file, { generate: defaultExperiment().generate, nLayers });
  if ('error' in v || v.op !== 'generation') throw new Error('not a generation view');
  return v;
}
