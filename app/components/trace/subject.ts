// Finding the subject of a prompt: a first guess (the first run of capitalised words that is not a sentence
// opener), and the token positions a subject string covers, from the tokens' character offsets.

const OPENERS = new Set(['The', 'A', 'An', 'In', 'On', 'At', 'Of', 'It', 'This', 'That', 'These', 'Those', 'When', 'Where', 'What', 'Who', 'My', 'Our', 'His', 'Her', 'Their']);

export function guessSubject(prompt: string): string {
  const words = [...prompt.matchAll(/[\p{L}\p{N}'’.-]+/gu)];
  let best: { start: number; end: number } | null = null;
  let run: { start: number; end: number } | null = null;
  words.forEach((m, i) => {
    const w = m[0];
    const cap = /^\p{Lu}/u.test(w) && !(i === 0 && OPENERS.has(w));
    if (cap) {
      run = run ? { start: run.start, end: m.index + w.length } : { start: m.index, end: m.index + w.length };
    } else if (run) {
      best ??= run;
      run = null;
    }
  });
  best ??= run;
  if (best) {
    const { start, end } = best as { start: number; end: number };
    return prompt.slice(start, end).replace(/[.]+$/, '');
  }
  return words[0]?.[0] ?? '';
}

/** [start, end) token positions covering the subject's first occurrence, or null when it is not in the prompt. */
export function subjectRange(tokens: string[], prompt: string, subject: string): [number, number] | null {
  const s = subject.trim();
  if (!s) return null;
  const joined = tokens.join('');
  const text = joined === prompt ? prompt : joined;
  const at = text.indexOf(s);
  if (at < 0) return null;
  const end = at + s.length;
  let pos = 0;
  let first = -1;
  let last = -1;
  tokens.forEach((t, i) => {
    const a = pos;
    const b = pos + t.length;
    if (b > at && a < end) {
      if (first < 0) first = i;
      last = i;
    }
    pos = b;
  });
  return first < 0 ? null : [first, last + 1];
}

/** The subject text of a token range (what clicking tokens in the strip sets). */
export function rangeText(tokens: string[], range: [number, number]): string {
  return tokens.slice(range[0], range[1]).join('').trim();
}
