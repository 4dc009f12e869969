// unit_locations in each form pyvene's own broadcasting accepts (intervenable_base._broadcast_unit_locations, read at
// pyvene 9e33390): expected normal forms written by hand from pyvene's rules; serial hops in pyvene's nesting run the
// same as their short forms on the tiny-gpt2 fixture.
import { describe, expect, it } from 'vitest';
import { normalizeUnitLocations } from './unit-locations.js';
import { PatchbayError } from '../errors.js';
import { ExperimentSchema } from './experiment-schema.js';
import { runExperiment } from './run-experiment.js';
import { loadFixture } from '../test-support/fixtures.js';

const P = (...xs: number[]) => xs.map((pos) => ({ pos }));

describe('parallel forms', () => {
  it('a number: source and base, every intervention', () => {
    expect(normalizeUnitLocations({ 'sources->base': 3 }, ['pos', 'pos'])).toEqual({ source: [[P(3)], [P(3)]], base: [[P(3)], [P(3)]] });
  });
  it('two numbers are a (source, base) pair, as pyvene reads them', () => {
    expect(normalizeUnitLocations({ 'sources->base': [2, 5] }, ['pos'])).toEqual({ source: [[P(2)]], base: [[P(5)]] });
  });
  it('[null, n]: base only', () => {
    expect(normalizeUnitLocations({ 'sources->base': [null, 5] }, ['pos'])).toEqual({ source: [null], base: [[P(5)]] });
  });
  it('a flat list of other length: those units everywhere', () => {
    expect(normalizeUnitLocations({ 'sources->base': [0, 1, 2] }, ['pos', 'h'])).toEqual({
      source: [[P(0, 1, 2)], [[{ head: 0 }, { head: 1 }, { head: 2 }]]],
      base: [[P(0, 1, 2)], [[{ head: 0 }, { head: 1 }, { head: 2 }]]],
    });
    expect(normalizeUnitLocations({ base: [4] }, ['pos'])).toEqual({ source: [null], base: [[P(4)]] });
  });
  it('{"base": [a, b]} reads b as the base position (pyvene broadcasts the pair there too)', () => {
    expect(normalizeUnitLocations({ base: [2, 5] }, ['pos'])).toEqual({ source: [null], base: [[P(5)]] });
  });
  it('the full nesting, with a null source side', () => {
    expect(normalizeUnitLocations({ 'sources->base': [[[[1, 2]], [[0]]], [[[3, 4]], [[0]]]] }, ['pos', 'pos']))
      .toEqual({ source: [[P(1, 2)], [P(0)]], base: [[P(3, 4)], [P(0)]] });
    expect(normalizeUnitLocations({ 'sources->base': [null, [[[3]]]] }, ['pos'])).toEqual({ source: [null], base: [[P(3)]] });
  });
  it('h.pos takes [[heads], [positions]] per intervention', () => {
    expect(normalizeUnitLocations({ 'sources->base': [[[[[1]], [[0, 1]]]], [[[[1]], [[2, 3]]]]] }, ['h.pos']).base)
      .toEqual([[[{ head: 1, pos: 2 }, { head: 1, pos: 3 }]]]);
  });
  it('refuses a null target, with what to do', () => {
    expect(() => normalizeUnitLocations({ 'sources->base': [3, null] }, ['pos'])).toThrow(/null target.*list the target positions/);
  });
});

describe('serial hops', () => {
  const issue = { 'source_0->source_1': [[[[1]]], [[[2]]]], 'source_1->base': [[[[2]]], [[[5]]]] };
  it('pyvene\'s own nesting (per hop intervention, per row, units) — the form the issue quotes', () => {
    expect(normalizeUnitLocations(issue, ['pos', 'pos'])).toEqual({ source: [[P(1)], [P(2)]], base: [[P(2)], [P(5)]] });
  });
  it('the same hops as short forms and as per-row lists', () => {
    const want = normalizeUnitLocations(issue, ['pos', 'pos']);
    expect(normalizeUnitLocations({ 'source_0->source_1': [1, 2], 'source_1->base': [2, 5] }, ['pos', 'pos'])).toEqual(want);
    expect(normalizeUnitLocations({ 'source_0->source_1': [[[1]], [[2]]], 'source_1->base': [[[2]], [[5]]] }, ['pos', 'pos'])).toEqual(want);
    expect(normalizeUnitLocations({ 'source_0->source_1': 1, 'source_1->base': [0, 3, 4] }, ['pos', 'pos']))
      .toEqual({ source: [[P(1)], [P(0, 3, 4)]], base: [[P(1)], [P(0, 3, 4)]] });
  });
  it('h.pos in pyvene\'s hop nesting', () => {
    const got = normalizeUnitLocations({ 'source_0->base': [[[[[0]], [[1]]]], [[[[2]], [[3]]]]] }, ['h.pos']);
    expect(got).toEqual({ source: [[[{ head: 0, pos: 1 }]]], base: [[[{ head: 2, pos: 3 }]]] });
  });
  it('two interventions in one hop are refused with the reason', () => {
    const err = (() => { try { normalizeUnitLocations({ 'source_0->base': [[[[1]], [[2]]], [[[1]], [[2]]]] }, ['pos']); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(PatchbayError);
    expect((err as PatchbayError).message).toMatch(/locations for 2 interventions in this hop/);
  });
});

describe('serial nesting runs', () => {
  it('pyvene\'s nesting gives the same logits as the short form (tiny-gpt2)', async () => {
    const model = loadFixture('tiny-gpt2');
    const doc = (unit_locations: Record<string, unknown>) => ExperimentSchema.parse({
      base: { input_ids: [11, 450, 7, 999, 5, 6] }, sources: [{ input_ids: [3, 14, 15, 92, 1, 2] }, { input_ids: [42, 8, 512, 77, 9, 10] }],
      config: { mode: 'serial', representations: [0, 1].map((layer) => ({ layer, component: 'block_output', intervention_type: 'VanillaIntervention' })) },
      options: { full_logits: true }, unit_locations,
    });
    const nested = await runExperiment(model, doc({ 'source_0->source_1': [[[[1]]], [[[2]]]], 'source_1->base': [[[[2]]], [[[5]]]] }));
    const short = await runExperiment(model, doc({ 'source_0->source_1': [1, 2], 'source_1->base': [2, 5] }));
    const moved = await runExperiment(model, doc({ 'source_0->source_1': [1, 2], 'source_1->base': [2, 4] }));
    expect(nested.intervened.logits).toEqual(short.intervened.logits);
    expect(nested.intervened.logits).not.toEqual(moved.intervened.logits);
  });
});
