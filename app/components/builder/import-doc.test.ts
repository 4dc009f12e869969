// Pasting documents into the JSON editor: syntax errors with line and column, schema errors with paths, and pyvene
// IntervenableConfigs (objects or positional lists) merged into the current document.
import { describe, expect, it } from 'vitest';
import { importDocument } from './import-doc';

const CURRENT = {
  base: 'The Eiffel Tower is located in the city of', sources: ['The Colosseum is located in the city of'],
  config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'VanillaIntervention' }] },
  unit_locations: { 'sources->base': [3, 3] },
};

describe('importDocument', () => {
  it('accepts our own format as is', () => {
    const r = importDocument(JSON.stringify(CURRENT), {});
    expect(r).toEqual({ ok: true, doc: CURRENT, converted: false });
  });

  it('reports a syntax error with its line and column', () => {
    const r = importDocument('{\n  "base": "x",\n  oops\n}', CURRENT);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.path).toMatch(/^line 3, column \d+$/);
  });

  it('reports schema errors with their paths', () => {
    const r = importDocument(JSON.stringify({ ...CURRENT, config: { representations: [{ layer: -1, component: 'block_output' }] } }), CURRENT);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.path)).toContain('config.representations[0].layer');
  });

  it('merges a pyvene IntervenableConfig with object representations', () => {
    const pv = { model_type: 'gpt2', representations: [{ layer: 4, component: 'mlp_output', unit: 'pos', max_number_of_units: 1 }], intervention_types: 'VanillaIntervention' };
    const r = importDocument(JSON.stringify(pv), CURRENT);
    expect(r.ok && r.converted).toBe(true);
    expect(r.ok && r.doc.config).toEqual({ mode: 'parallel', representations: [{ layer: 4, component: 'mlp_output', unit: 'pos', max_number_of_units: 1, intervention_type: 'VanillaIntervention' }] });
    expect(r.ok && r.doc.base).toBe(CURRENT.base);
  });

  it('merges positional representations and per-intervention type lists', () => {
    const pv = { representations: [[2, 'block_output', 'pos', 1], [1, 'attention_output', 'pos', 1]],
      intervention_types: ["<class 'pyvene.models.interventions.VanillaIntervention'>", 'ZeroIntervention'] };
    const r = importDocument(JSON.stringify(pv), CURRENT);
    expect(r.ok).toBe(true);
    if (r.ok) {
      const reps = (r.doc.config as { representations: Record<string, unknown>[] }).representations;
      expect(reps[0]).toMatchObject({ layer: 2, component: 'block_output', intervention_type: "<class 'pyvene.models.interventions.VanillaIntervention'>" });
      expect(reps[1]).toMatchObject({ layer: 1, component: 'attention_output', intervention_type: 'ZeroIntervention' });
      expect(r.doc.unit_locations).toEqual({ 'sources->base': 0 });
    }
  });
});
