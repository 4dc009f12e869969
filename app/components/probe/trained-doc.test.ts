// "Open in Interventions": a trained cell becomes a valid run document at the cell's site and resolved position in the
// example pair, with every float32 weight given back exactly; a rank-1 × d=128 cell travels in the link (and back),
// the builder keeps the weights when it edits the document, and a D×D rotation is reported as too long for a link.
import { describe, expect, it } from 'vitest';
import { validateExperiment } from '../../../engine/experiment/experiment-schema';
import { seededRandom } from '../../../engine/training/linalg';
import type { TrainedCell } from '../../../engine/training/das';
import { decode, encode, MAX_LINK_CHARS } from '../../link/codec';
import { defaultExperiment } from '../../link/schema';
import type { DasOutput } from '../../workers/das-op';
import { buildDoc, parseDoc } from '../builder/builder-doc';
import { needsSource } from '../builder/RepEditor';
import { linkLength, trainedInterventionDoc } from './trained-doc';

const D = 128;

function unitColumns(cols: number, seed: number): Float32Array {
  const rnd = seededRandom(seed);
  const w = Float32Array.from({ length: D * cols }, () => rnd() - 0.5);
  const n = Math.hypot(...w.subarray(0, D * cols)) / Math.sqrt(cols);
  return w.map((x) => x / n);
}

function cell(over: Partial<TrainedCell>): TrainedCell {
  return {
    layer: 3, position: -1, iia: 0.9, component: 'block_output', type: 'LowRankRotatedSpaceIntervention', rank: 1,
    weight: unitColumns(1, 7), weightCols: 1, params: {}, losses: [0.5], ...over,
  } as TrainedCell;
}

function output(trained: TrainedCell[]): DasOutput {
  return {
    cells: trained.map((t) => ({ layer: t.layer, position: t.position, iia: 0.9, probe_accuracy: 1, probe_control: 0.5, loss: 0.5 })),
    trained, train_pairs: 48, test_pairs: 12, seconds: 1, component: 'block_output', intervention_type: trained[0]!.type,
    rank: 1, steps: 6, seed: 3, seconds_per_step: 0.1, loss_curve: [], pairs_available: 90,
    position_tokens: { [-1]: ' because' }, example: { base: 'James walked because', source: 'Sarah walked because', base_label: ' he', source_label: ' she' },
    example_tokens: 4,
  } as DasOutput;
}

describe('trainedInterventionDoc', () => {
  const trained = cell({});
  const made = trainedInterventionDoc(output([trained]), { layer: 3, position: -1 });
  if (!made.ok) throw new Error(made.reason);

  it('applies the trained type at the cell’s site and resolved position, base ← source of the example pair', () => {
    expect(made.position).toBe(3);
    expect(made.doc).toMatchObject({
      base: 'James walked because', sources: ['Sarah walked because'],
      config: { mode: 'parallel', representations: [{ layer: 3, component: 'block_output', unit: 'pos', intervention_type: 'LowRankRotatedSpaceIntervention', low_rank_dimension: 1, group_key: 0 }] },
      unit_locations: { 'sources->base': [[[[3]]], [[[3]]]] },
    });
    const v = validateExperiment(made.doc);
    expect(v.ok).toBe(true);
  });

  it('gives back every float32 weight exactly (9 significant digits)', () => {
    const rows = (made.doc as { config: { representations: { params: { weight: number[][] } }[] } }).config.representations[0]!.params.weight;
    expect(rows).toHaveLength(D);
    rows.forEach((row, i) => expect(Math.fround(row[0]!)).toBe(trained.weight[i]));
  });

  it('travels in the link when rank 1 × d=128, and the builder keeps the weights when it edits the document', () => {
    const e = { ...defaultExperiment(), view: 'intervene' as const, intervention: made.doc };
    const text = encode(e);
    expect(text.length).toBeLessThan(MAX_LINK_CHARS / 4);
    const back = decode(text);
    if (!back.ok) throw new Error(back.error.message);
    expect(back.value.intervention).toEqual(made.doc);
    const parsed = parseDoc(made.doc);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(buildDoc(parsed.value, needsSource)).toEqual(made.doc);
  });

  it('a D×D rotation (RotatedSpace) is too long for a link, and the length says so', () => {
    const big = cell({ type: 'RotatedSpaceIntervention', weight: unitColumns(D, 9), weightCols: D, params: { interchange_dim: 1 } });
    const d = trainedInterventionDoc(output([big]), { layer: 3, position: -1 });
    if (!d.ok) throw new Error(d.reason);
    expect(validateExperiment(d.doc).ok).toBe(true);
    expect(linkLength(defaultExperiment(), d.doc)).toBeGreaterThan(MAX_LINK_CHARS);
  });

  it('says what is wrong for a cell that is not in the result or a position outside the pair', () => {
    const r = trainedInterventionDoc(output([trained]), { layer: 2, position: -1 });
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/no trained intervention at layer 2, position -1/) });
    const far = trainedInterventionDoc(output([cell({ position: -5 })]), { layer: 3, position: -5 });
    expect(far).toEqual({ ok: false, reason: expect.stringMatching(/position -5 is outside the example pair \(4 tokens\)/) });
  });
});
