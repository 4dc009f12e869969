// Property-based fuzzing (fast-check) of the experiment's input side: the document validator, pyvene's
// unit_locations normaliser, planning against a real model (tiny-gpt2 fixture: 2 layers, 4 heads, d 64, context 128)
// and the pyvene config importer. Near-valid documents with out-of-range layers, positions, heads, subspaces, missing
// sources, wrong serial chains and over-long inputs: every failure is a PatchbayError or a validation issue with a
// JSON path; a plan that succeeds only uses sites, positions and heads the model has. Counts are printed.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPatchbayError } from '../errors.js';
import { loadFixture } from '../test-support/fixtures.js';
import type { LoadedModel } from '../load/load-model.js';
import { INTERVENTION_TYPES } from '../interventions/registry.js';
import { validateExperiment } from './experiment-schema.js';
import { normalizeUnitLocations } from './unit-locations.js';
import { planExperiment } from './plan.js';
import { importPyveneConfig, PYVENE_FIELDS } from './pyvene-config.js';

const counts: Record<string, number> = {};
const outcomes: Record<string, number> = {};
afterAll(() => {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(`experiment fuzz: ${total} inputs (${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}), 0 uncaught exceptions; ` +
    `outcomes: ${Object.entries(outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}`);
});

/** Runs f; only PatchbayError may escape it. Returns the code (or 'ok'). */
function onlyCoded(kind: string, f: () => void): string {
  counts[kind] = (counts[kind] ?? 0) + 1;
  try {
    f();
    outcomes[`${kind} ok`] = (outcomes[`${kind} ok`] ?? 0) + 1;
    return 'ok';
  } catch (e) {
    if (!isPatchbayError(e)) throw new Error(`${kind}: uncoded ${String(e)}`, { cause: e });
    expect(e.message.length).toBeGreaterThan(10);
    outcomes[`${kind} ${e.code}`] = (outcomes[`${kind} ${e.code}`] ?? 0) + 1;
    return e.code;
  }
}

const COMPONENTS = ['block_input', 'block_output', 'mlp_output', 'attention_output', 'head_attention_value_output', 'attention_weight', 'query_output', 'resid_mid', 'nonsense'];
const TYPES = [...INTERVENTION_TYPES.map((t) => t.name), 'LambdaIntervention', 'pyvene.models.interventions.VanillaIntervention', '<function <lambda>>'];
const small = fc.integer({ min: -2, max: 9 });
/** Mostly in-vocabulary token ids (the fixture's vocabulary is 1000), now and then one beyond it. */
const ids = fc.array(fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 0, max: 200 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 1100 }) }), { minLength: 1, maxLength: 12 });
const loc = fc.oneof(small, fc.array(small, { maxLength: 3 }), fc.array(fc.array(small, { maxLength: 3 }), { maxLength: 2 }));
const unitLocations = fc.oneof(
  fc.constant(null),
  fc.record({ 'sources->base': fc.oneof(loc, fc.tuple(loc, loc)) }),
  fc.record({ base: loc }),
  fc.record({ 'sources->base': fc.tuple(fc.array(fc.array(fc.array(small, { maxLength: 2 }), { maxLength: 2 }), { maxLength: 2 }),
    fc.array(fc.array(fc.array(small, { maxLength: 2 }), { maxLength: 2 }), { maxLength: 2 })) }),
);
const representation = fc.record({
  layer: small,
  component: fc.constantFrom(...COMPONENTS),
  unit: fc.constantFrom('pos', 'h', 'h.pos'),
  intervention_type: fc.constantFrom(...TYPES),
  max_number_of_units: fc.integer({ min: 1, max: 3 }),
  low_rank_dimension: fc.option(fc.integer({ min: 1, max: 80 }), { nil: undefined }),
  subspace_partition: fc.option(fc.array(fc.array(fc.integer({ min: 0, max: 70 }), { maxLength: 3 }), { maxLength: 2 }), { nil: undefined }),
  group_key: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
  source_representation: fc.option(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { maxLength: 70 }), { nil: undefined }),
  params: fc.option(fc.dictionary(fc.constantFrom('noise_level', 'temperature', 'scale', 'coefficient'), fc.oneof(fc.double(), fc.string(), fc.constant(null))), { nil: undefined }),
}, { requiredKeys: ['layer', 'component'] });
const document = fc.record({
  base: fc.oneof({ weight: 6, arbitrary: ids.map((input_ids) => ({ input_ids })) },
    { weight: 2, arbitrary: fc.array(ids.map((input_ids) => ({ input_ids })), { minLength: 1, maxLength: 2 }) },
    { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 129, maxLength: 140 }).map((input_ids) => ({ input_ids })) }),
  sources: fc.array(ids.map((input_ids) => ({ input_ids })), { maxLength: 3 }),
  config: fc.record({ mode: fc.constantFrom('parallel', 'serial'), representations: fc.array(representation, { minLength: 1, maxLength: 3 }) }),
  unit_locations: unitLocations,
  subspaces: fc.option(fc.array(fc.array(fc.integer({ min: -1, max: 80 }), { maxLength: 3 }), { maxLength: 3 }), { nil: undefined }),
}, { requiredKeys: ['base', 'config'] });

/** Documents one step from valid: one interchange at a site, a source of the same length, positions and layers
 *  mostly in range (layer up to nLayers + 1, position up to the prompt length + 1). */
const nearValid = fc.record({
  len: fc.integer({ min: 1, max: 10 }),
  layer: fc.integer({ min: 0, max: 2 }), // the fixture has 2 layers
  component: fc.constantFrom('block_input', 'block_output', 'mlp_output', 'attention_output', 'mlp_input', 'attention_input'),
  pos: fc.integer({ min: 0, max: 11 }),
  type: fc.constantFrom('VanillaIntervention', 'ZeroIntervention', 'AdditionIntervention', 'CollectIntervention'),
  sources: fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constantFrom(0, 2) }),
  subspace: fc.option(fc.array(fc.integer({ min: 0, max: 70 }), { minLength: 1, maxLength: 3 }), { nil: undefined }),
}).map(({ len, layer, component, pos, type, sources, subspace }) => ({
  base: { input_ids: Array.from({ length: len }, (_, i) => 5 + i) },
  sources: Array.from({ length: sources }, () => ({ input_ids: Array.from({ length: len }, (_, i) => 50 + i) })),
  config: { representations: [{ layer, component, intervention_type: type }] },
  unit_locations: { 'sources->base': pos },
  ...(subspace ? { subspaces: [subspace] } : {}),
}));

describe('experiment documents (fast-check)', () => {
  let model: LoadedModel;
  beforeAll(() => { model = loadFixture('tiny-gpt2'); });

  it('validation never throws, and every issue names a JSON path', () => {
    fc.assert(fc.property(fc.oneof(document, fc.anything()), (doc) => {
      counts.validate = (counts.validate ?? 0) + 1;
      const v = validateExperiment(doc);
      if (!v.ok) for (const issue of v.errors) expect(issue.path.length).toBeGreaterThan(0);
    }), { numRuns: 4000, seed: 11 });
  });

  it('unit_locations normalisation throws only coded errors', () => {
    fc.assert(fc.property(unitLocations, fc.array(fc.constantFrom('pos', 'h', 'h.pos'), { minLength: 1, maxLength: 3 }), (locs, units) => {
      onlyCoded('unit_locations', () => normalizeUnitLocations(locs as Record<string, unknown> | null, units as ('pos' | 'h' | 'h.pos')[]));
    }), { numRuns: 4000, seed: 12 });
  });

  it('planning a near-valid document against the model throws only coded errors; a plan stays inside the model', () => {
    const { nLayers, nHeads } = model.info.dims;
    fc.assert(fc.property(fc.oneof({ weight: 3, arbitrary: nearValid }, { weight: 2, arbitrary: document }), (raw) => {
      const v = validateExperiment(raw);
      counts.plan = (counts.plan ?? 0) + 1;
      if (!v.ok) return;
      let plan: ReturnType<typeof planExperiment> | undefined;
      onlyCoded('plan (valid docs)', () => { plan = planExperiment(model, v.value); });
      if (!plan) return;
      const tokens = plan.baseIds[0]!.length;
      expect(tokens).toBeLessThanOrEqual(128);
      for (const iv of plan.interventions) {
        expect(iv.site.layer).toBeGreaterThanOrEqual(0);
        expect(iv.site.layer).toBeLessThan(nLayers);
        for (const units of iv.targetUnits) {
          for (const u of units) {
            if (u.pos !== undefined) expect(u.pos).toBeLessThan(tokens);
            if (u.head !== undefined) expect(u.head).toBeLessThan(nHeads);
          }
        }
      }
    }), { numRuns: 6000, seed: 13 });
    expect(outcomes['plan (valid docs) ok']).toBeGreaterThan(300); // the property was checked on real plans
    expect(outcomes['plan (valid docs) LAYER_OUT_OF_RANGE']).toBeGreaterThan(100);
    expect(outcomes['plan (valid docs) SOURCE_MISSING']).toBeGreaterThan(50);
    expect(outcomes['plan (valid docs) LOCATION_OUT_OF_RANGE']).toBeGreaterThan(100);
  });
});

describe('pyvene config importer (fast-check)', () => {
  const positional = fc.array(fc.oneof(fc.integer({ min: -1, max: 5 }), fc.constantFrom(...COMPONENTS), fc.constantFrom(...TYPES), fc.constant(null), fc.string()),
    { maxLength: PYVENE_FIELDS.length + 2 });
  const config = fc.record({
    representations: fc.oneof(fc.array(fc.oneof(representation, positional, fc.anything()), { maxLength: 3 }), representation, fc.anything()),
    intervention_types: fc.oneof(fc.constantFrom(...TYPES), fc.array(fc.constantFrom(...TYPES), { maxLength: 3 }), fc.anything()),
    mode: fc.constantFrom('parallel', 'serial', 'sequential', 3),
    patchbay: fc.oneof(fc.anything(), fc.record({ params: fc.array(fc.anything(), { maxLength: 3 }), source_representations: fc.array(fc.anything(), { maxLength: 3 }) })),
  }, { requiredKeys: [] });

  it('throws only coded errors, and what it imports validates as an experiment config or names its path', () => {
    fc.assert(fc.property(fc.oneof(config, fc.anything()), (cfg) => {
      let imported: ReturnType<typeof importPyveneConfig> | undefined;
      onlyCoded('pyvene import', () => { imported = importPyveneConfig(cfg); });
      if (imported) {
        const v = validateExperiment({ base: { input_ids: [1, 2] }, config: imported.config });
        if (!v.ok) for (const issue of v.errors) expect(issue.path).toMatch(/^config/);
      }
    }), { numRuns: 10000, seed: 14 });
  });
});
