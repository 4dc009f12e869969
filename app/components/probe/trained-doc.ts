// "Open in Interventions": a trained cell of the Probe vs DAS result as the Interventions screen's experiment
// document — the trained intervention (rotation / mask inline in `params`) at the cell's layer and component, applied
// at the cell's position in the result's example pair (base ← source). Pure; the weights are rounded to 9 significant
// digits, which gives back every float32 exactly, so a rank-1 cell is small enough to travel in the link.
import { toRepresentation } from '../../../engine/training/trained-io';
import { encode } from '../../link/codec';
import type { Experiment } from '../../link/schema';
import type { DasOutput } from '../../workers/das-op';

export type TrainedDocResult = { ok: true; doc: Record<string, unknown>; position: number } | { ok: false; reason: string };

/** Rounds every number in a (nested) array of numbers or a params record to `digits` significant digits. */
function rounded(v: unknown, digits: number): unknown {
  if (typeof v === 'number') return Number(v.toPrecision(digits));
  if (Array.isArray(v)) return v.map((x) => rounded(x, digits));
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rounded(x, digits)]));
  return v;
}

export function trainedInterventionDoc(result: DasOutput, cell: { layer: number; position: number }): TrainedDocResult {
  const t = result.trained.find((c) => c.layer === cell.layer && c.position === cell.position);
  if (!t) return { ok: false, reason: `no trained intervention at layer ${cell.layer}, position ${cell.position} in this result: train again` };
  const length = result.example_tokens;
  const position = t.position < 0 ? length + t.position : t.position;
  if (position < 0 || position >= length) return { ok: false, reason: `position ${t.position} is outside the example pair (${length} tokens): train again` };
  const rep = toRepresentation(t);
  return {
    ok: true,
    position,
    doc: {
      base: result.example.base,
      sources: [result.example.source],
      config: { mode: 'parallel', representations: [{ ...rep, params: rounded(rep.params, 9), group_key: 0 }] },
      // the pair has the same token length on both sides: the same position reads the source and writes the base
      unit_locations: { 'sources->base': [[[[position]]], [[[position]]]] },
    },
  };
}

/** The share link's length (characters) once `doc` is the experiment's intervention (links hold MAX_LINK_CHARS). */
export function linkLength(experiment: Experiment, doc: Record<string, unknown>): number {
  return encode({ ...experiment, intervention: doc }).length;
}
