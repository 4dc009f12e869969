// pyvene's subspace selection: `subspaces` lists, per intervention (and per batch row), either feature indices or,
// with a `subspace_partition` ([[start, end), …]), partition indices whose ranges are taken; without subspaces,
// `interchange_dim` keeps the first n coordinates. Returns the chosen indices per row (one entry = every row), or
// null for all. Stage: plan.
import { PatchbayError } from '../errors.js';

export function resolveSubspaceRows(
  raw: unknown,
  partition: number[][] | null | undefined,
  interchangeDim: number | undefined,
  size: number,
  path: string,
): (number[] | null)[] {
  // pyvene nests subspaces per batch row: [[0, 1, 2], [3]]; a flat list means the same for every row.
  const perRow = Array.isArray(raw) && raw.length > 0 && raw.every(Array.isArray) ? raw : [raw];
  return perRow.map((r, i) => resolveSubspace(r, partition, interchangeDim, size, perRow.length > 1 ? `${path}[${i}]` : path));
}

function resolveSubspace(
  raw: unknown,
  partition: number[][] | null | undefined,
  interchangeDim: number | undefined,
  size: number,
  path: string,
): number[] | null {
  if (raw == null) {
    if (interchangeDim === undefined) return null;
    if (!Number.isInteger(interchangeDim) || interchangeDim < 1 || interchangeDim > size) {
      throw new PatchbayError('EXPERIMENT_INVALID', `interchange_dim ${interchangeDim} must be between 1 and ${size}`, path);
    }
    return Array.from({ length: interchangeDim }, (_, i) => i);
  }
  const list = raw;
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v < 0)) {
    throw new PatchbayError('EXPERIMENT_INVALID', 'expected a list of non-negative integer indices', path);
  }
  if (!partition) {
    const bad = (list as number[]).find((v) => v >= size);
    if (bad !== undefined) throw new PatchbayError('EXPERIMENT_INVALID', `index ${bad} is outside 0–${size - 1}: expected indices between 0 and ${size - 1}`, path);
    return list as number[];
  }
  const out: number[] = [];
  for (const p of list as number[]) {
    const range = partition[p];
    if (!range) throw new PatchbayError('EXPERIMENT_INVALID', `partition ${p} requested; subspace_partition has ${partition.length} parts`, path);
    const [start, end] = range as [number, number];
    if (!(start >= 0 && end > start && end <= size)) {
      throw new PatchbayError('EXPERIMENT_INVALID', `subspace_partition[${p}] = [${start}, ${end}) does not fit 0–${size}`, path);
    }
    for (let i = start; i < end; i++) out.push(i);
  }
  return out;
}
