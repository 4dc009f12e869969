// Property-based fuzzing of the link decoder (fast-check): edits of real links, random text, random compressed bytes,
// random JSON, near-valid experiments and prototype-pollution payloads. decode never throws, whatever it accepts is a
// valid experiment that survives another round trip, and nothing it reads reaches Object.prototype. Counts printed.
import { deflateSync } from 'fflate';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decode, encode } from './codec';
import { ExperimentSchema, defaultExperiment } from './schema';

const counts: Record<string, number> = {};
afterAll(() => {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(`link decoder fuzz: ${total} inputs (${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}), 0 exceptions`);
});

const LINK_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=%#&?+/ ';

function pack(json: string): string {
  return `1.${Buffer.from(deflateSync(new TextEncoder().encode(json))).toString('base64url')}`;
}

/** Nothing a link carries may land on Object.prototype, nor be inherited by the objects decode returns. */
function assertNoPollution(value: unknown): void {
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    const proto = Object.getPrototypeOf(v) as unknown;
    expect(proto === Object.prototype || proto === Array.prototype || proto === null).toBe(true);
    stack.push(...Object.values(v));
  }
}

function check(text: string, kind: string): void {
  counts[kind] = (counts[kind] ?? 0) + 1;
  let d: ReturnType<typeof decode>;
  try {
    d = decode(text);
  } catch (e) {
    throw new Error(`decode threw on ${JSON.stringify(text.slice(0, 200))}: ${String(e)}`, { cause: e });
  }
  assertNoPollution(d.ok ? d.value : null);
  if (d.ok) {
    expect(ExperimentSchema.safeParse(d.value).success).toBe(true);
    expect(decode(encode(d.value))).toEqual(d);
  } else {
    expect(d.error.message.length).toBeGreaterThan(10);
  }
}

const good = encode({ ...defaultExperiment(), model: { kind: 'bundled', id: 'gpt2-facts' } });
const linkChar = fc.constantFrom(...LINK_CHARS.split(''));
const edit = fc.record({ at: fc.nat(), op: fc.constantFrom('replace', 'delete', 'insert'), ch: linkChar });
/** JSON values of any shape, with the keys an attacker would try among ordinary ones. */
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('v', 'view', 'model', 'trace', 'intervention', 'kind', 'id', 'url', '__proto__', 'constructor', 'prototype', 'polluted'),
      tie('value'), { maxKeys: 4 })),
})).value;
/** Fragments that pollute Object.prototype if anything merges parsed JSON naively. */
const pollution = fc.constantFrom('{"__proto__": {"polluted": "yes"}}', '{"constructor": {"prototype": {"polluted": "yes"}}}',
  '{"__proto__": {"__proto__": {"polluted": "yes"}}}', '[{"__proto__": {"polluted": "yes"}}]');

describe('link decoder fuzz (fast-check)', () => {
  it('survives edits of a valid link', () => {
    fc.assert(fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), (edits) => {
      const chars = good.split('');
      for (const e of edits) {
        const at = e.at % (chars.length + 1);
        if (e.op === 'replace') chars[at] = e.ch;
        else if (e.op === 'delete') chars.splice(at, 1);
        else chars.splice(at, 0, e.ch);
      }
      check(chars.join(''), 'edited links');
    }), { numRuns: 3000, seed: 1 });
  });

  it('survives random text and random compressed bytes', () => {
    fc.assert(fc.property(fc.string({ unit: linkChar, maxLength: 400 }), (s) => check(s, 'random text')), { numRuns: 2000, seed: 2 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => check(`1.${Buffer.from(b).toString('base64url')}`, 'random bytes')), { numRuns: 2000, seed: 3 });
  });

  it('survives random JSON', () => {
    fc.assert(fc.property(jsonValue, (v) => check(pack(JSON.stringify(v) ?? 'null'), 'random JSON')), { numRuns: 2000, seed: 4 });
  });

  it('survives near-valid experiments with one field replaced, and prototype-pollution payloads anywhere', () => {
    const fields = Object.keys(defaultExperiment());
    fc.assert(fc.property(fc.constantFrom(...fields), jsonValue, (field, v) => {
      const e = defaultExperiment() as unknown as Record<string, unknown>;
      e[field] = v;
      check(pack(JSON.stringify(e)), 'near-valid experiments');
    }), { numRuns: 1500, seed: 5 });
    // The payload goes in as JSON text (JSON.stringify would drop a real __proto__ key), at every object position.
    const base = JSON.stringify({ ...defaultExperiment(), view: 'intervene' });
    const slots = [...base.matchAll(/[{,]"(\w+)":/g)].map((m) => m.index + 1);
    fc.assert(fc.property(fc.constantFrom(...slots), pollution, (at, payload) => {
      const key = fc.sample(fc.constantFrom('__proto__', 'constructor', 'x'), { numRuns: 1, seed: at })[0]!;
      const json = `${base.slice(0, at)}"${key}": ${payload}, ${base.slice(at)}`;
      check(pack(json), 'pollution payloads');
    }), { numRuns: 500, seed: 6 });
  });

  it('keeps a pollution payload inside intervention as plain data, never as a prototype', () => {
    const base = defaultExperiment();
    const json = JSON.stringify(base).replace('"intervention":{', '"intervention":{"__proto__":{"polluted":"yes"},');
    const d = decode(pack(json));
    assertNoPollution(d.ok ? d.value : null);
    if (d.ok) expect((d.value.intervention as Record<string, unknown>).polluted).toBeUndefined();
  });
});
