// The builder's document model: it reads pyvene's unit_locations forms and writes back documents that the engine
// validates and that read back the same.
import { describe, expect, it } from 'vitest';
import { validateExperiment } from '../../../engine/experiment/experiment-schema';
import { normalizeUnitLocations } from '../../../engine/experiment/unit-locations';
import { INTERVENTION_TYPES } from '../../../engine/interventions/registry';
import { buildDoc, choosePosition, newRep, parseDoc, togglePosition } from './builder-doc';

const needsSource = (t: string) => INTERVENTION_TYPES.find((x) => x.name === t)?.needsSource ?? true;

const DOC = {
  format: 'patchbay.experiment/1',
  base: 'The Eiffel Tower is located in the city of',
  sources: ['The Colosseum is located in the city of'],
  config: { mode: 'parallel', representations: [
    { layer: 3, component: 'block_output', unit: 'pos', intervention_type: 'VanillaIntervention' },
    { layer: 1, component: 'head_attention_value_output', unit: 'h.pos', intervention_type: 'ZeroIntervention', params: {} },
  ] },
  unit_locations: { 'sources->base': [[[[4, 5]], [[[2]], [[6]]]], [[[4, 5]], [[[2]], [[6]]]]] },
  options: { top_k: 5 },
};

describe('builder document model', () => {
  it('reads the nested form', () => {
    const p = parseDoc(DOC);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.value.reps[0]).toMatchObject({ layer: 3, component: 'block_output', base: [4, 5], source: [4, 5], sourceIndex: 0 });
    expect(p.value.reps[1]).toMatchObject({ unit: 'h.pos', heads: [2], base: [6], type: 'ZeroIntervention', extra: { params: {} } });
    expect(p.value.rest).toEqual({ format: 'patchbay.experiment/1', options: { top_k: 5 } });
  });

  it('reads shorthands', () => {
    const p = parseDoc({ ...DOC, config: { representations: [DOC.config.representations[0]] }, unit_locations: { 'sources->base': [2, 5] } });
    expect(p.ok && p.value.reps[0]).toMatchObject({ base: [5], source: [2] });
  });

  it('writes documents the engine accepts, and reads them back the same', () => {
    const p = parseDoc(DOC);
    if (!p.ok) throw new Error(p.reason);
    const out = buildDoc(p.value, needsSource);
    const v = validateExperiment(out);
    expect(v.ok).toBe(true);
    const reps = (out.config as { representations: { unit: 'pos' | 'h' | 'h.pos' }[] }).representations;
    expect(() => normalizeUnitLocations(out.unit_locations as Record<string, unknown>, reps.map((r) => r.unit))).not.toThrow();
    const again = parseDoc(out);
    expect(again.ok && again.value.reps).toEqual(p.value.reps.map((r) => ({ ...r })));
    expect(buildDoc((again as { value: typeof p.value }).value, needsSource)).toEqual(out);
  });

  it('uses the base form when nothing reads a source', () => {
    const m = { base: 'a b c', sources: [], reps: [{ ...newRep(0, 'mlp_output', false, 2), type: 'ZeroIntervention' }], rest: {}, config: {} };
    const out = buildDoc(m, needsSource);
    expect(out.unit_locations).toEqual({ base: [[[2]]] });
    expect(validateExperiment(out).ok).toBe(true);
  });

  it('refuses what it cannot show, with a reason', () => {
    const p = parseDoc({ ...DOC, base: { input_ids: [1, 2] } });
    expect(p.ok).toBe(false);
    const q = parseDoc({ ...DOC, unit_locations: { nonsense: 1 } });
    expect(q.ok).toBe(false);
    const serial = parseDoc({ ...DOC, config: { mode: 'serial', representations: DOC.config.representations }, unit_locations: { 'source_0->source_1': 3, 'source_1->base': 3 } });
    expect(serial.ok).toBe(false);
  });

  it('chooses one position per click, more with a modifier, never none', () => {
    expect(choosePosition([1, 4], 2, false)).toEqual([2]);
    expect(choosePosition([1, 4], 2, true)).toEqual([1, 2, 4]);
    expect(choosePosition([4], 4, true)).toEqual([4]);
  });

  it('toggles positions in order', () => {
    expect(togglePosition([1, 4], 2)).toEqual([1, 2, 4]);
    expect(togglePosition([1, 2, 4], 2)).toEqual([1, 4]);
  });
});

describe('repeated source positions (steering)', () => {
  it('keeps one source position paired with many base positions', () => {
    const doc = { base: 'a b c', sources: ['x y'], config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'AdditionIntervention', group_key: 0 }] },
      unit_locations: { 'sources->base': [[[[1, 1, 1]]], [[[0, 1, 2]]]] } };
    const p = parseDoc(doc);
    expect(p.ok && p.value.reps[0]).toMatchObject({ base: [0, 1, 2], source: [1, 1, 1] });
    if (p.ok) expect(buildDoc(p.value, needsSource).unit_locations).toEqual(doc.unit_locations);
  });
});
