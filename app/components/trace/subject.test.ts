// Subject guessing and the subject's token range, on prompts like the bundled models' presets.
import { describe, expect, it } from 'vitest';
import { guessSubject, rangeText, subjectRange } from './subject';

describe('guessSubject', () => {
  it.each([
    ['The Eiffel Tower is located in the city of', 'Eiffel Tower'],
    ['The Colosseum is located in the city of', 'Colosseum'],
    ['Sarah works as a', 'Sarah'],
    ['The capital of France is', 'France'],
    ['the big dog', 'the'],
  ])('%s → %s', (prompt, subject) => expect(guessSubject(prompt)).toBe(subject));
});

describe('subjectRange', () => {
  const tokens = ['The', ' E', 'iff', 'el', ' Tower', ' is', ' in'];
  const prompt = tokens.join('');
  it('covers every token the subject touches', () => {
    expect(subjectRange(tokens, prompt, 'Eiffel Tower')).toEqual([1, 5]);
    expect(rangeText(tokens, [1, 5])).toBe('Eiffel Tower');
  });
  it('is null for a subject not in the prompt', () => {
    expect(subjectRange(tokens, prompt, 'Colosseum')).toBeNull();
    expect(subjectRange(tokens, prompt, '  ')).toBeNull();
  });
});
