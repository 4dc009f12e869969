// Fuzzing the link decoder: random edits of real links, random bytes, and random JSON never make decode throw,
// and whatever it accepts is a valid experiment that survives another round trip.
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decode, encode } from './codec';
import { ExperimentSchema, defaultExperiment } from './schema';

/** A small seeded generator (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=%#&?+/ ';

function check(text: string): void {
  const d = decode(text);
  if (d.ok) {
    expect(ExperimentSchema.safeParse(d.value).success).toBe(true);
    expect(decode(encode(d.value))).toEqual(d);
  } else {
    expect(d.error.message.length).toBeGreaterThan(10);
  }
}

function randomJson(r: () => number, depth = 0): unknown {
  const k = Math.floor(r() * (depth > 3 ? 5 : 8));
  switch (k) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return Math.floor(r() * 2000) - 1000;
    case 3: return r() * 1e6;
    case 4: return Array.from({ length: Math.floor(r() * 6) }, () => ALPHABET[Math.floor(r() * ALPHABET.length)]).join('');
    case 5: return Array.from({ length: Math.floor(r() * 4) }, () => randomJson(r, depth + 1));
    default: {
      const keys = ['v', 'view', 'model', 'trace', 'intervention', 'sweep', 'classroom', '__proto__', 'constructor', 'prompt'];
      const o: Record<string, unknown> = {};
      for (let i = 0; i < 4; i++) o[keys[Math.floor(r() * keys.length)]!] = randomJson(r, depth + 1);
      return o;
    }
  }
}

describe('link decoder fuzz', () => {
  const good = encode(defaultExperiment());

  it('survives random edits of a valid link', () => {
    const r = rng(1);
    for (let i = 0; i < 1500; i++) {
      const chars = good.split('');
      const edits = 1 + Math.floor(r() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(r() * chars.length);
        const op = r();
        if (op < 0.4) chars[at] = ALPHABET[Math.floor(r() * ALPHABET.length)]!;
        else if (op < 0.7) chars.splice(at, 1);
        else chars.splice(at, 0, ALPHABET[Math.floor(r() * ALPHABET.length)]!);
      }
      expect(() => check(chars.join(''))).not.toThrow();
    }
  });

  it('survives random strings and random compressed bytes', () => {
    const r = rng(2);
    for (let i = 0; i < 500; i++) {
      const n = Math.floor(r() * 300);
      const s = Array.from({ length: n }, () => ALPHABET[Math.floor(r() * ALPHABET.length)]).join('');
      expect(() => check(s)).not.toThrow();
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
      expect(() => check(`1.${Buffer.from(bytes).toString('base64url')}`)).not.toThrow();
    }
  });

  it('survives random JSON, including prototype-shaped keys', () => {
    const r = rng(3);
    for (let i = 0; i < 1000; i++) {
      const json = JSON.stringify(randomJson(r));
      const text = `1.${Buffer.from(deflateSync(new TextEncoder().encode(json))).toString('base64url')}`;
      expect(() => check(text)).not.toThrow();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('survives near-valid experiments with one field replaced by random JSON', () => {
    const r = rng(4);
    const fields = Object.keys(defaultExperiment());
    for (let i = 0; i < 600; i++) {
      const e = defaultExperiment() as unknown as Record<string, unknown>;
      e[fields[Math.floor(r() * fields.length)]!] = randomJson(r);
      const text = `1.${Buffer.from(deflateSync(new TextEncoder().encode(JSON.stringify(e)))).toString('base64url')}`;
      expect(() => check(text)).not.toThrow();
    }
  });
});
