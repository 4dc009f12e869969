// The proposed trace window: a quarter of the depth, between 1 and ROME's 10; the hint says why.
import { describe, expect, it } from 'vitest';
import { suggestedWindow, windowHint } from './window';

describe('suggestedWindow', () => {
  it.each([[1, 1], [2, 1], [6, 2], [12, 3], [24, 6], [28, 7], [36, 9], [48, 10], [96, 10]])('%i layers → %i', (n, w) => {
    expect(suggestedWindow(n)).toBe(w);
  });
  it('restores fewer layers than the model has from 2 layers on', () => {
    for (let n = 2; n <= 64; n++) expect(suggestedWindow(n)).toBeLessThan(n);
  });
});

describe('windowHint', () => {
  it('says what fits the model and warns when the window covers every layer', () => {
    expect(windowHint(6, 10)).toContain('2 (a quarter of the depth) suits this 6-layer model');
    expect(windowHint(6, 10)).toContain('restores all 6 layers at once');
    expect(windowHint(6, 2)).not.toContain('at once');
    expect(windowHint(null, 10)).toContain('ROME used 10');
  });
});
