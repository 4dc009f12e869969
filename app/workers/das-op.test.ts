// Counterfactual pairs for the Probe vs DAS view: both directions, equal token length only, labels by list, a seeded
// sample, and clear errors for a template without NAME or lists that make no pairs.
import { describe, expect, it } from 'vitest';
import { defaultProbeV5 } from '../link/schema-v5';
import { counterfactualPairs, namesFor } from './das-op';

const words = (t: string) => t.split(' ').length + (t.includes('Zed') ? 1 : 0); // "Zed" counts as two tokens

describe('counterfactual pairs', () => {
  const s = { ...defaultProbeV5(), max_pairs: 100 };

  it('pairs every name with every name of the other list of equal token length, both ways, labelled by list', () => {
    const { pairs, available } = counterfactualPairs(s, [['James', 'Zed'], ['Sarah', 'Emma']], words);
    expect(available).toBe(4); // Zed has no partner of its length
    expect(pairs).toHaveLength(4);
    expect(pairs).toContainEqual({ base: 'James walked because', source: 'Sarah walked because', base_label: ' he', source_label: ' she' });
    expect(pairs).toContainEqual({ base: 'Emma walked because', source: 'James walked because', base_label: ' she', source_label: ' he' });
    expect(pairs.some((p) => p.base.includes('Zed') || p.source.includes('Zed'))).toBe(false);
  });

  it('takes a seeded sample of at most max_pairs: the same seed, the same pairs', () => {
    const male = ['A', 'B', 'C', 'D', 'E'];
    const female = ['F', 'G', 'H', 'I'];
    const a = counterfactualPairs({ ...s, max_pairs: 7, seed: 4 }, [male, female], words);
    const b = counterfactualPairs({ ...s, max_pairs: 7, seed: 4 }, [male, female], words);
    const c = counterfactualPairs({ ...s, max_pairs: 7, seed: 5 }, [male, female], words);
    expect(a.available).toBe(40);
    expect(a.pairs).toHaveLength(7);
    expect(b.pairs).toEqual(a.pairs);
    expect(c.pairs).not.toEqual(a.pairs);
  });

  it('says what is wrong with the template and the lists', () => {
    expect(() => counterfactualPairs({ ...s, template: 'Someone walked because' }, [['A'], ['B']], words)).toThrow(/must contain NAME/);
    expect(() => counterfactualPairs(s, [[' ', ''], ['B']], words)).toThrow(/both name lists need at least one name/);
    expect(() => counterfactualPairs(s, [['Zed'], ['B']], words)).toThrow(/make 0 pair\(s\) of equal token length/);
  });

  it('uses the model’s bundled lists when the settings carry none, and says so when there are none', () => {
    expect(namesFor({ settings: s, bundledNames: [['A'], ['B']] })).toEqual([['A'], ['B']]);
    expect(namesFor({ settings: { ...s, names: [['X'], []] }, bundledNames: [['A'], ['B']] })).toEqual([['X'], []]);
    expect(() => namesFor({ settings: s })).toThrow(/no bundled name lists/);
  });
});
