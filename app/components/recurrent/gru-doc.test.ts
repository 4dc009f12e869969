// The GRU panel's form ↔ document round trip, reading hand-written documents, the form's checks, and the heatmap
// grids (intervened − original, one symmetric scale, the written step starred).
import { describe, expect, it } from 'vitest';
import { parseGruExperiment } from '../../../engine/recurrent/gru-document';
import { DEFAULT_GRU_FORM, formProblems, gruDoc, readGruForm, stateGrids, symbolsOf } from './gru-doc';

describe('GRU form and document', () => {
  it('round-trips both modes and both types, and the engine accepts what the form writes', () => {
    for (const mode of ['block_output', 'layer_output'] as const) {
      for (const type of ['VanillaIntervention', 'ZeroIntervention'] as const) {
        const form = { ...DEFAULT_GRU_FORM, mode, type, sourceT: 4, baseT: 3 };
        const doc = gruDoc(form);
        expect(() => parseGruExperiment(doc)).not.toThrow();
        const back = readGruForm(doc)!.form;
        expect(back).toEqual(type === 'ZeroIntervention' ? { ...form, source: '', sourceT: 3 } : form);
      }
    }
  });

  it('reads the shorthand and nested unit_locations, and refuses transformer documents', () => {
    const doc = (unit_locations: unknown) => ({ base: '1 2 3 4', sources: ['4 3 2 1'], config: { representations: [{ layer: 0, component: 'block_output' }] }, unit_locations });
    expect(readGruForm(doc({ 'sources->base': 2 }))!.form).toMatchObject({ sourceT: 2, baseT: 2, type: 'VanillaIntervention' });
    expect(readGruForm(doc({ 'sources->base': [[[[3]]], [[[1]]]] }))!.form).toMatchObject({ sourceT: 3, baseT: 1 });
    expect(readGruForm(doc({ nonsense: 1 }))).toBeNull();
    expect(readGruForm({ base: 'The Eiffel Tower is in', sources: [], config: { representations: [{ layer: 0, component: 'block_output' }] }, unit_locations: { base: 1 } })).toBeNull();
    expect(readGruForm({ ...doc({ base: 1 }), config: { representations: [{ layer: 0, component: 'mlp_output' }] } })).toBeNull();
  });

  it('names what is wrong before a run', () => {
    expect(symbolsOf('3, 1 5')).toEqual([3, 1, 5]);
    expect(symbolsOf('3 x')).toBeNull();
    expect(formProblems(DEFAULT_GRU_FORM, 8, 2)).toEqual([]);
    expect(formProblems({ ...DEFAULT_GRU_FORM, base: '3 9' }, 8, 2).join(' ')).toMatch(/symbol 9 is out of range/);
    expect(formProblems({ ...DEFAULT_GRU_FORM, baseT: 7 }, 8, 2).join(' ')).toMatch(/t ≤ 6/);
    expect(formProblems({ ...DEFAULT_GRU_FORM, baseT: 7, mode: 'layer_output' }, 8, 2)).toEqual([]);
    expect(formProblems({ ...DEFAULT_GRU_FORM, layer: 2 }, 8, 2).join(' ')).toMatch(/2 layers/);
    expect(formProblems({ ...DEFAULT_GRU_FORM, base: Array(600).fill('1').join(' ') }, 8, 2).join(' ')).toMatch(/600 steps; the panel draws up to 512/);
  });

  it('heatmap grids: rows = steps, columns = units, intervened − original, shared symmetric domain', () => {
    const states = [
      { layer: 0, original: [[0, 0], [1, 1]], intervened: [[0, 0], [1, 1]] },
      { layer: 1, original: [[0, 0], [1, 1]], intervened: [[0, 0], [1.5, 0]] },
    ];
    const grids = stateGrids(states, [3, 1], { layer: 1, t: 1 });
    expect(grids[1]!.values).toEqual([[0, 0], [0.5, -1]]);
    expect(grids[0]!.domain).toEqual([-1, 1]);
    expect(grids[1]!.rows).toEqual(['t=0 (3)', 't=1 (1)']);
    expect(grids[1]!.starred).toEqual([false, true]);
    expect(grids[0]!.starred).toEqual([false, false]);
  });
});
