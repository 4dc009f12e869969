// Property-based fuzzing (fast-check) of the model loader's front end on mutated fixture files (tiny-gpt2): truncated
// files, flipped bytes, inserted and deleted runs, random bytes, and config.json with absurd or contradictory
// dimensions. decodeModel runs on 10,000 inputs (the fixture graph with its weights emptied, 80 kB, so each decode
// takes ~1 ms); the whole loadModel (graph analysis, ~20 ms each) on fewer, counted below. Only PatchbayError may
// escape, nothing may hang (each input is timed), and a model that loads has sane dimensions. Counts are printed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPatchbayError } from '../errors.js';
import { decodeModel } from '../onnx/model-file.js';
import { ModelProtoType } from '../onnx/onnx-schema.js';
import { TESTDATA, readBytes } from '../test-support/fixtures.js';
import { loadModel, type LoadedModel } from './load-model.js';

const DIR = join(TESTDATA, 'generated', 'tiny-gpt2');
const counts: Record<string, number> = {};
const outcomes: Record<string, number> = {};
let slowest = 0;
afterAll(() => {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(`model loader fuzz: ${total} inputs (${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}), 0 uncaught exceptions, ` +
    `slowest ${slowest.toFixed(0)} ms; outcomes: ${Object.entries(outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}`);
});

/** Runs f, timing it; only PatchbayError may escape. */
function onlyCoded<T>(kind: string, f: () => T): T | undefined {
  counts[kind] = (counts[kind] ?? 0) + 1;
  const t0 = performance.now();
  try {
    const v = f();
    outcomes[`${kind} ok`] = (outcomes[`${kind} ok`] ?? 0) + 1;
    return v;
  } catch (e) {
    if (!isPatchbayError(e)) throw new Error(`${kind}: uncoded ${String(e)}`, { cause: e });
    outcomes[`${kind} ${e.code}`] = (outcomes[`${kind} ${e.code}`] ?? 0) + 1;
    return undefined;
  } finally {
    const ms = performance.now() - t0;
    slowest = Math.max(slowest, ms);
    expect(ms, `${kind} took ${ms} ms`).toBeLessThan(2000);
  }
}

/** A byte-level mutation of a file. */
const mutation = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('flip' as const), flips: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 1, max: 255 })).map((f) => [f]) }) },
  fc.record({ op: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ op: fc.constant('flip' as const), flips: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }) }),
  fc.record({ op: fc.constant('splice' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), remove: fc.nat(64), insert: fc.uint8Array({ maxLength: 64 }) }),
  fc.record({ op: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 2048 }) }),
);

function mutate(src: Uint8Array, m: typeof mutation extends fc.Arbitrary<infer T> ? T : never): Uint8Array {
  switch (m.op) {
    case 'truncate': return src.slice(0, Math.floor(m.at * src.length));
    case 'flip': {
      const out = src.slice();
      for (const [at, x] of m.flips) { const i = Math.floor(at * out.length); out[i] = out[i]! ^ x; }
      return out;
    }
    case 'splice': {
      const at = Math.floor(m.at * src.length);
      const out = new Uint8Array(src.length - Math.min(m.remove, src.length - at) + m.insert.length);
      out.set(src.subarray(0, at));
      out.set(m.insert, at);
      out.set(src.subarray(Math.min(src.length, at + m.remove)), at + m.insert.length);
      return out;
    }
    case 'random': return m.bytes;
  }
}

describe('model loader fuzz (fast-check)', () => {
  let full: Uint8Array;
  let graphOnly: Uint8Array;
  let config: Record<string, unknown>;
  let reference: LoadedModel;
  beforeAll(() => {
    full = readBytes(join(DIR, 'model.onnx'));
    config = JSON.parse(readFileSync(join(DIR, 'config.json'), 'utf8')) as Record<string, unknown>;
    reference = loadModel({ name: 'tiny-gpt2', model: full, config });
    const decoded = decodeModel(full);
    for (const t of decoded.proto.graph.initializer) t.raw_data = new Uint8Array(0);
    graphOnly = new Uint8Array(ModelProtoType.encode(decoded.proto as never).finish()); // a copy: Buffer.slice would be a view
  });

  it('decodeModel: 10,000 mutated files, only coded errors, no hangs', () => {
    expect(graphOnly.length).toBeLessThan(200_000);
    const before = graphOnly.slice();
    fc.assert(fc.property(mutation, (m) => { onlyCoded('decode', () => decodeModel(mutate(graphOnly, m))); }), { numRuns: 10_000, seed: 21 });
    expect(graphOnly).toEqual(before);
    expect(outcomes['decode ok']).toBeGreaterThan(300); // many mutations still decode: the later stages were reached
  });

  it('loadModel: mutated files through the whole graph analysis, only coded errors; what loads has sane dimensions', () => {
    fc.assert(fc.property(mutation, (m) => {
      const model = onlyCoded('load (mutated bytes)', () => loadModel({ name: 'fuzz', model: mutate(graphOnly, m), config }));
      if (model) {
        const { nLayers, nHeads, dModel, dHead } = model.info.dims;
        for (const n of [nLayers, nHeads, dModel, dHead]) expect(Number.isInteger(n) && n > 0).toBe(true);
      }
    }), { numRuns: 300, seed: 22 });
  });

  it('loadModel: config.json with absurd or contradictory dimensions never crashes, and never yields impossible dimensions', () => {
    const absurd = fc.oneof(fc.constantFrom(0, -1, 7, 1e12, 0.5, Number.NaN, null, 'twelve', [], {}), fc.integer({ min: -5, max: 600 }));
    const keys = ['n_head', 'num_attention_heads', 'n_embd', 'hidden_size', 'n_layer', 'num_hidden_layers', 'vocab_size', 'n_positions', 'max_position_embeddings', 'model_type', 'n_inner'];
    fc.assert(fc.property(fc.dictionary(fc.constantFrom(...keys), absurd, { minKeys: 1, maxKeys: 4 }), (patch) => {
      const model = onlyCoded('load (absurd config)', () => loadModel({ name: 'fuzz', model: full, config: { ...config, ...patch } }));
      if (model) {
        const { nLayers, nHeads, dModel, dHead, vocabSize, contextLength } = model.info.dims;
        expect(nLayers).toBe(reference.info.dims.nLayers); // the graph's block count wins over config
        for (const n of [nHeads, dModel, dHead, vocabSize]) expect(Number.isInteger(n) && n > 0, JSON.stringify(model.info.dims)).toBe(true);
        expect(nHeads * dHead).toBe(dModel);
        if (contextLength !== undefined) expect(Number.isInteger(contextLength) && contextLength > 0, `contextLength ${contextLength}`).toBe(true);
      }
    }), { numRuns: 300, seed: 23 });
  });
});
