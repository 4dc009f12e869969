// Text ↔ token ids through tokenizer.json, with the maintained @huggingface/tokenizers library (never a hand-written
// BPE). Stage: inputs. Token strings are returned decoded (" Paris", not "ĠParis") for display.
import { Tokenizer } from '@huggingface/tokenizers';
import { PatchbayError } from './errors.js';

export interface TextTokenizer {
  encode(text: string): number[];
  decode(ids: number[]): string;
  /** Each id's own text, as shown in token strips. */
  tokenTexts(ids: number[]): string[];
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
  };
}
