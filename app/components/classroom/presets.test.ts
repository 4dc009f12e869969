// Classroom presets become documents the engine accepts, at the positions the manifest describes.
import { describe, expect, it } from 'vitest';
import { validateExperiment } from '../../../engine/experiment/experiment-schema';
import { defaultExperiment } from '../../link/schema';
import { lastDifference, multiSourcePreset, patchingPreset, steeringPreset, tracePreset } from './presets';

/** A word-level stand-in for the worker's tokenizer. */
const tokenize = async (text: string) => text.split(' ').map((w) => [...w].reduce((a, c) => a + c.charCodeAt(0), 0));

describe('classroom presets', () => {
  it('finds the last subject token of a minimal pair', () => {
    expect(lastDifference([1, 2, 3, 4], [1, 9, 9, 4])).toBe(2);
    expect(lastDifference([1, 2], [1, 2])).toBe(1);
  });

  it('patching: the sweep and an interchange at the last subject token', async () => {
    const e = await patchingPreset(defaultExperiment(), { name: 'x', base: 'The Colosseum is in', source: 'The Vasa Museum is', component: 'block_output', answer: ' Stockholm', layer: 2 }, tokenize);
    expect(e.view).toBe('sweep');
    expect(e.sweep).toMatchObject({ base: 'The Colosseum is in', answer: ' Stockholm' });
    expect(e.intervention.unit_locations).toEqual({ 'sources->base': [[[[3]]], [[[3]]]] });
    expect(validateExperiment(e.intervention).ok).toBe(true);
    // subjects that end in the same word: the manifest names the position
    const same = await patchingPreset(defaultExperiment(), { name: 'y', base: 'Kelan Quell works as', source: 'Tessa Quell works as', component: 'block_output', answer: ' pilot', position: 1 }, tokenize);
    expect(same.intervention.unit_locations).toEqual({ 'sources->base': [[[[1]]], [[[1]]]] });
  });

  it('two sources at the sites the manifest names', async () => {
    const e = await multiSourcePreset(defaultExperiment(), {
      name: 'x', base: 'The capital of France is', sources: ['The capital of Italy is', 'The capital of Spain is'], component: 'block_output',
      sites: [{ source: 0, layer: 1, position: 'last subject token' }, { source: 1, layer: 4, position: 'last token' }],
    }, 6, tokenize);
    const doc = e.intervention as { config: { representations: { layer: number; group_key: number }[] }; unit_locations: unknown };
    expect(doc.config.representations.map((r) => [r.layer, r.group_key])).toEqual([[1, 0], [4, 1]]);
    expect(doc.unit_locations).toEqual({ 'sources->base': [[[[3]], [[4]]], [[[3]], [[4]]]] });
    expect(validateExperiment(e.intervention).ok).toBe(true);
  });

  it('a serial chain: source 0 into source 1 at the last subject token, then source 1 into the base at the last token', async () => {
    const e = await multiSourcePreset(defaultExperiment(), {
      name: 'x', base: 'The capital of France is', sources: ['The capital of Italy is', 'The capital of Spain is'], component: 'block_output', mode: 'serial',
      sites: [{ source: 0, layer: 1, position: 'last subject token' }, { source: 1, layer: 4, position: 'last token' }],
    }, 6, tokenize);
    const doc = e.intervention as { config: { mode: string; representations: { layer: number; group_key?: number }[] }; unit_locations: unknown };
    expect(doc.config.mode).toBe('serial');
    expect(doc.config.representations.map((r) => [r.layer, r.group_key])).toEqual([[1, undefined], [4, undefined]]);
    expect(doc.unit_locations).toEqual({ 'source_0->source_1': [3, 3], 'source_1->base': [4, 4] });
    expect(validateExperiment(e.intervention).ok).toBe(true);
  });

  it('steering: addition minus subtraction with coefficient 1, a scaled constant otherwise', async () => {
    const p = { name: 's', prompt: 'John felt', positive: 'I am happy', negative: 'I am sad', layer: 0, coefficient: 1 };
    const one = await steeringPreset(defaultExperiment(), p, tokenize, async () => [1, 2]);
    expect((one.intervention.config as { representations: { intervention_type: string }[] }).representations.map((r) => r.intervention_type))
      .toEqual(['AdditionIntervention', 'SubtractionIntervention']);
    expect(validateExperiment(one.intervention).ok).toBe(true);
    const half = await steeringPreset(defaultExperiment(), { ...p, coefficient: 0.5 }, tokenize, async (text) => (text.includes('happy') ? [3, 4] : [1, 1]));
    expect((half.intervention.config as { representations: { source_representation: number[] }[] }).representations[0]!.source_representation).toEqual([1, 1.5]);
    expect(validateExperiment(half.intervention).ok).toBe(true);
  });

  it('trace: the preset with a window scaled to the model', () => {
    const e = tracePreset(defaultExperiment(), { name: 't', prompt: 'Big Ben is in', subject: 'Big Ben', answer: ' London' }, 6);
    expect(e.trace).toMatchObject({ prompt: 'Big Ben is in', subject: 'Big Ben', answer: ' London', window: 2 });
  });
});
