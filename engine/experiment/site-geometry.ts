// Where a unit (position, head, or head × position) lives inside one batch row of a site's tensor, in the
// component's layout: a list of feature vectors given by their start offsets. Stage: plan → feeds.
import { PatchbayError } from '../errors.js';
import type { ModelDims } from '../model/model-types.js';
import { COMPONENT_INFO, type Component } from '../sites/components.js';
import type { Unit } from './unit-locations.js';
import { rowGeometry } from '../sites/row-geometry.js';

/** Offsets (within one row) of the feature vectors a unit covers. */
export function unitOffsets(component: Component, dims: ModelDims, seq: number, unit: Unit, path: string): number[] {
  const info = COMPONENT_INFO[component];
  const g = rowGeometry(component, dims, seq);
  if (unit.pos !== undefined && unit.pos >= seq) {
    throw new PatchbayError('LOCATION_OUT_OF_RANGE', `position ${unit.pos} requested; the input has ${seq} tokens (0–${seq - 1})`, path);
  }
  if (unit.head !== undefined && unit.head >= dims.nHeads) {
    throw new PatchbayError('LOCATION_OUT_OF_RANGE', `head ${unit.head} requested; the model has ${dims.nHeads} heads (0–${dims.nHeads - 1})`, path);
  }
  if (!info.perHead) {
    if (unit.head !== undefined) {
      throw new PatchbayError('UNIT_INVALID', `component ${component} has no head axis: use unit "pos", or a head component (head_attention_value_output, head_query_output, …)`, path);
    }
    return [unit.pos! * g.features];
  }
  const heads = unit.head !== undefined ? [unit.head] : range(dims.nHeads);
  const positions = unit.pos !== undefined ? [unit.pos] : range(seq);
  return heads.flatMap((h) => positions.map((p) => (h * seq + p) * g.features));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
