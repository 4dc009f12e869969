// pyvene's unit_locations in all its shapes, normalised to one list of units per intervention for the base and
// for its source. Stage: plan. Accepted (n = number of interventions):
//   {"base": 3}                             every intervention, base position 3 (no source)
//   {"sources->base": 3}                    source and base position 3
//   {"sources->base": [2, 5]}               source position 2 → base position 5
//   {"sources->base": [S, B]}               S, B: per intervention, per batch row, a list of units (one row is
//                                           used for every row of the batch)
//   {"base": B}                             B as above, for sourceless interventions
//   {"source_0->source_1": L0, "source_1->base": L1}   serial mode: one key per hop (intervention i reads
//                                           source_i); each L is a number, a [source, target] pair of numbers, or
//                                           [S, T] with S, T per batch row (one row) lists of units
// A unit is a position (unit "pos"), a head ("h"), or for "h.pos" the pyvene pair [[heads], [positions]] per row.
import { PatchbayError } from '../errors.js';

export interface Unit {
  pos?: number;
  head?: number;
}

/** Per intervention, per batch row (one row = the same for all rows), the units. */
export interface NormalizedLocations {
  base: Unit[][][];
  source: (Unit[][] | null)[];
}

type UnitKind = 'pos' | 'h' | 'h.pos';

export function normalizeUnitLocations(raw: Record<string, unknown> | null | undefined, units: UnitKind[]): NormalizedLocations {
  const n = units.length;
  if (!raw) throw new PatchbayError('EXPERIMENT_INVALID', 'unit_locations is required: say where each intervention applies', 'unit_locations');
  const keys = Object.keys(raw);
  if (keys.length > 0 && keys.every((k) => HOP.test(k))) return hops(raw, units);
  const bad = keys.filter((k) => k !== 'base' && k !== 'sources->base');
  if (bad.length > 0 || keys.length !== 1) {
    throw new PatchbayError('EXPERIMENT_INVALID', `expected exactly one key, "sources->base" or "base"; found ${keys.join(', ') || 'none'}`, 'unit_locations');
  }
  const key = keys[0]!;
  const value = raw[key];
  const path = `unit_locations["${key}"]`;
  if (key === 'base') {
    const base = perIntervention(value, units, n, path);
    return { base, source: base.map(() => null) };
  }
  if (typeof value === 'number') {
    const one = perIntervention(value, units, n, path);
    return { base: one, source: one };
  }
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) {
    return { base: perIntervention(value[1], units, n, `${path}[1]`), source: perIntervention(value[0], units, n, `${path}[0]`) };
  }
  if (!Array.isArray(value) || value.length !== 2) {
    throw new PatchbayError('EXPERIMENT_INVALID', 'expected a position, a [source, base] pair of positions, or [source_locations, base_locations]', path);
  }
  return { source: perIntervention(value[0], units, n, `${path}[0]`), base: perIntervention(value[1], units, n, `${path}[1]`) };
}

const HOP = /^source_(\d+)->(source_(\d+)|base)$/;

/** Serial hop keys: "source_i->source_{i+1}" … "source_{n-1}->base", one intervention each, in order. */
function hops(raw: Record<string, unknown>, units: UnitKind[]): NormalizedLocations {
  const n = units.length;
  const byIndex = new Map<number, unknown>();
  for (const [key, value] of Object.entries(raw)) {
    const m = HOP.exec(key)!;
    const from = Number(m[1]);
    const to = m[2] === 'base' ? n : Number(m[3]);
    if (to !== from + 1 || from >= n) {
      throw new PatchbayError('EXPERIMENT_INVALID', `hop "${key}" must go from source_i to source_{i+1}, the last one to base, with ${n} intervention(s)`, 'unit_locations');
    }
    byIndex.set(from, value);
  }
  const base: Unit[][][] = [];
  const source: Unit[][][] = [];
  for (let i = 0; i < n; i++) {
    const path = `unit_locations["source_${i}->${i === n - 1 ? 'base' : `source_${i + 1}`}"]`;
    if (!byIndex.has(i)) throw new PatchbayError('EXPERIMENT_INVALID', 'missing: every hop needs locations', path);
    const v = byIndex.get(i);
    if (typeof v === 'number') { base.push(broadcastInt(v, units[i]!, path)); source.push(broadcastInt(v, units[i]!, path)); continue; }
    if (!Array.isArray(v) || v.length !== 2) throw new PatchbayError('EXPERIMENT_INVALID', 'expected a position, [source, target] positions, or [source_units, target_units]', path);
    if (typeof v[0] === 'number' && typeof v[1] === 'number') {
      source.push(broadcastInt(v[0], units[i]!, `${path}[0]`));
      base.push(broadcastInt(v[1], units[i]!, `${path}[1]`));
    } else {
      source.push(perRow(v[0], units[i]!, `${path}[0]`));
      base.push(perRow(v[1], units[i]!, `${path}[1]`));
    }
  }
  return { base, source };
}

function perIntervention(value: unknown, units: UnitKind[], n: number, path: string): Unit[][][] {
  if (typeof value === 'number') return units.map((u) => broadcastInt(value, u, path));
  if (!Array.isArray(value)) throw new PatchbayError('EXPERIMENT_INVALID', 'expected a number or a list with one entry per intervention', path);
  if (value.length !== n) {
    throw new PatchbayError('EXPERIMENT_INVALID', `has ${value.length} entries; the config has ${n} intervention(s)`, path);
  }
  return value.map((v, i) => perRow(v, units[i]!, `${path}[${i}]`));
}

function broadcastInt(v: number, unit: UnitKind, path: string): Unit[][] {
  checkIndex(v, path);
  if (unit === 'h.pos') throw new PatchbayError('EXPERIMENT_INVALID', 'unit "h.pos" needs [[heads], [positions]], not one number', path);
  return [[unit === 'h' ? { head: v } : { pos: v }]];
}

/** One intervention's locations, per batch row as pyvene nests them. */
function perRow(v: unknown, unit: UnitKind, path: string): Unit[][] {
  if (!Array.isArray(v)) throw new PatchbayError('EXPERIMENT_INVALID', 'expected a list with one entry per batch row', path);
  if (unit === 'h.pos') {
    // [[heads per row…], [positions per row…]]: the units of a row are its heads × its positions.
    if (v.length !== 2 || !Array.isArray(v[0]) || !Array.isArray(v[1])) {
      throw new PatchbayError('EXPERIMENT_INVALID', 'unit "h.pos" expects [[[heads…]], [[positions…]]]', path);
    }
    const heads = rows(v[0], `${path}[0]`);
    const positions = rows(v[1], `${path}[1]`);
    if (heads.length !== positions.length) {
      throw new PatchbayError('EXPERIMENT_INVALID', `heads are given for ${heads.length} row(s) and positions for ${positions.length}`, path);
    }
    return heads.map((hs, r) => hs.flatMap((head) => positions[r]!.map((pos) => ({ head, pos }))));
  }
  return rows(v, path).map((list) => list.map((i) => (unit === 'h' ? { head: i } : { pos: i })));
}

function rows(v: unknown[], path: string): number[][] {
  if (v.length === 0) throw new PatchbayError('EXPERIMENT_INVALID', 'expected one entry per batch row, found none', path);
  return v.map((row, r) => {
    const list = typeof row === 'number' ? [row] : row;
    if (!Array.isArray(list) || list.length === 0) throw new PatchbayError('EXPERIMENT_INVALID', 'expected a non-empty list of unit indices', `${path}[${r}]`);
    list.forEach((x, i) => checkIndex(x, `${path}[${r}][${i}]`));
    return list as number[];
  });
}

function checkIndex(x: unknown, path: string): void {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) {
    throw new PatchbayError('EXPERIMENT_INVALID', `expected a non-negative integer index, found ${JSON.stringify(x)}`, path);
  }
}
