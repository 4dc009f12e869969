// The trace's pure parts: subject ranges found as ROME finds them, the answer token, noise specs, ROME's window
// formula, and the branch trees of the staged schedule.
import { beforeAll, describe, expect, it } from 'vitest';
import { bundledIds, nodeResolver } from '../../load/node-resolver.js';
import type { LoadedModel } from '../../load/load-model.js';
import { openModel } from '../../load/open-model.js';
import { allCells, windowLayers } from './cells.js';
import { embeddingStd, parseNoiseSpec } from './noise.js';
import { findTokenRange, resolveAnswer, resolveInputs } from './options.js';
import { leaves, runningAt, segments, tokenRoots } from './schedule.js';

describe('subject and answer', () => {
  let model: LoadedModel;
  beforeAll(async () => { model = await openModel('gpt2-facts', nodeResolver, { bundledIds: bundledIds() }); });

  it('finds the subject tokens by characters, like ROME\'s find_token_range', () => {
    const tokens = ['The', ' E', 'iff', 'el', ' Tower', ' is', ' in'];
    expect(findTokenRange(tokens, 'Eiffel Tower')).toEqual([1, 5]);
    expect(findTokenRange(tokens, 'ffel')).toEqual([2, 4]);
    expect(findTokenRange(tokens, ' is')).toEqual([5, 6]);
    expect(() => findTokenRange(tokens, 'Louvre')).toThrow(/subject "Louvre" does not occur in the prompt "The Eiffel Tower is in"/);
  });

  it('resolves a text prompt and subject, and tokenizes subjects alone for the noise std', () => {
    const inputs = resolveInputs(model, { prompt: 'The Eiffel Tower is located in the city of', subject: 'Eiffel Tower' });
    expect(inputs.tokens.slice(inputs.subject[0], inputs.subject[1]).join('')).toBe(' Eiffel Tower');
    expect(inputs.stdIds).toEqual([model.tokenizer!.encode('Eiffel Tower')]);
    expect(inputs).toMatchObject({ samples: 10, window: 10, seed: 1, kinds: ['resid', 'mlp', 'attn'] });
  });

  it('takes the answer as an id, as one-token text, or the clean top-1', () => {
    const paris = model.tokenizer!.encode(' Paris');
    expect(paris).toHaveLength(1);
    expect(resolveAnswer({ answerText: ' Paris' }, model, 7)).toBe(paris[0]);
    expect(resolveAnswer({ answerId: 3 }, model, 7)).toBe(3);
    expect(resolveAnswer({}, model, 7)).toBe(7);
    expect(() => resolveAnswer({ answerText: ' Paris France' }, model, 7)).toThrow(/is 2 tokens .*" Paris", " France"/);
    expect(() => resolveAnswer({ answerText: ' Paris', answerId: 3 }, model, 7)).toThrow(/not both/);
    expect(() => resolveAnswer({ answerId: -1 }, model, 7)).toThrow(/outside the vocabulary/);
  });
});

describe('noise', () => {
  it('parses sN and numbers', () => {
    expect(parseNoiseSpec(undefined)).toEqual({ factor: 3 });
    expect(parseNoiseSpec('s')).toEqual({ factor: 1 });
    expect(parseNoiseSpec('s2.5')).toEqual({ factor: 2.5 });
    expect(parseNoiseSpec('0.1')).toEqual({ scale: 0.1 });
    expect(parseNoiseSpec(0)).toEqual({ scale: 0 });
    expect(parseNoiseSpec('u0.5')).toEqual({ scale: 0.5, uniform: true });
    expect(() => parseNoiseSpec('x3')).toThrow(/not a number, "sN" .* or "uN"/);
    expect(() => parseNoiseSpec(-1)).toThrow(/≥ 0/);
  });

  it('computes the unbiased std over every value, like torch.std()', () => {
    expect(embeddingStd([Float32Array.from([1, 2]), Float32Array.from([3, 4])])).toBeCloseTo(Math.sqrt(5 / 3), 12);
  });
});

describe('windows and the staged schedule', () => {
  it('follows ROME\'s window formula [max(0, L − w//2), min(n, L − (−w//2)))', () => {
    expect(windowLayers(0, 10, 12)).toEqual([0, 1, 2, 3, 4]);
    expect(windowLayers(5, 10, 12)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(windowLayers(11, 10, 12)).toEqual([6, 7, 8, 9, 10, 11]);
    expect(windowLayers(4, 3, 12)).toEqual([3, 4, 5]);
    expect(windowLayers(4, 1, 12)).toEqual([4]);
    expect(windowLayers(4, 2, 12)).toEqual([3, 4]);
  });

  it('shares the prefix of windows that start together and gives every cell one leaf', () => {
    const n = 12;
    const cells = allCells(['resid', 'mlp', 'attn'], 10, n).filter((c) => c.token === 4);
    const roots = tokenRoots(cells, 10, n);
    const ends = leaves(roots);
    expect(ends.flatMap((s) => s.cells).length).toBe(cells.length);
    expect(new Set(ends.flatMap((s) => s.cells)).size).toBe(cells.length);
    // the mlp windows [0,5) … [0,10) run as one branch through layer 4
    const shared = roots.flatMap(segments).find((s) => s.cells.length === 6 && s.restores[0] === 'mlp_output');
    expect(shared).toMatchObject({ from: 0, to: 5 });
    // layer-runs: resid cells from L+1, windows from their start, shared prefixes once
    const units = Array.from({ length: n }, (_, l) => runningAt(roots, l).length).reduce((a, b) => a + b, 0);
    expect(units).toBe(66 + 2 * 88);
    expect(roots.find((r) => r.init.kind === 'resid' && r.init.layer === 11)).toMatchObject({ from: 12, to: 12 });
  });
});
