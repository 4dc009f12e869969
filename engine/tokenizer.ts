// Text ↔ token ids through tokenizer.json, with the maintained @huggingface/tokenizers library (never a hand-written
// BPE). Stage: inputs. Token strings are returned decoded (" Paris", not "ĠParis") for display.
import { Tokenizer } from '@huggingface/tokenizers';
import { PatchbayError } from './errors.js';

export interface TextTokenizer {
  encode(text: string): number[];
  decode(ids: number[]): string;
  /** Each id's own text, as shown in token strips. */
  tokenTexts(ids: number[]): string[];
  /** The largest id tokenizer.json can produce (its vocabulary and added tokens): must fit the model's. */
  maxId: number;
}

export function createTokenizer(tokenizerJson: unknown, tokenizerConfig: unknown = {}): TextTokenizer {
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(tokenizerJson as object, (tokenizerConfig ?? {}) as object);
  } catch (e) {
    throw new PatchbayError('TOKENIZER_MISSING', `tokenizer.json could not be read: ${(e as Error).message}`);
  }
  return {
    encode: (text) => tok.encode(text, { add_special_tokens: false }).ids,
    decode: (ids) => tok.decode(ids, { skip_special_tokens: false }),
    tokenTexts: (ids) => ids.map((id) => tok.decode([id], { skip_special_tokens: false })),
    maxId: largestId(tokenizerJson),
  };
}

function largestId(json: unknown): number {
  const j = json as { model?: { vocab?: unknown }; added_tokens?: { id?: unknown }[] };
  const vocab = j.model?.vocab;
  // BPE / WordPiece keep {token: id}; Unigram keeps [[token, score], …] where the id is the index.
  const ids = Array.isArray(vocab) ? [vocab.length - 1] : Object.values((vocab ?? {}) as Record<string, unknown>);
  for (const t of j.added_tokens ?? []) ids.push(t.id);
  return ids.reduce<number>((m, x) => (typeof x === 'number' && x > m ? x : m), -1);
}
