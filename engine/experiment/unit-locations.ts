// pyvene's unit_locations in every shape pyvene itself broadcasts, normalised to one list of units per intervention
// for the base and for its source. Stage: plan. Accepted (n = number of interventions; "value" below is one key's):
//   {"base": 3}                             every intervention, base position 3 (no source)
//   {"sources->base": 3}                    source and base position 3
//   {"sources->base": [2, 5]}               source position 2 → base position 5 (pyvene reads any two numbers so)
//   {"sources->base": [null, 5]}            base position 5, no source locations (sourceless interventions)
//   {"sources->base": [0, 1, 2]}            a flat list (not a pair): units 0, 1, 2 in source and base, every row
//   {"sources->base": [S, B]}               S, B: per intervention, per batch row, a list of units (one row is
//                                           used for every row of the batch); S may be null (no source)
//   {"base": B}                             B as above, for sourceless interventions
//   {"source_0->source_1": L0, "source_1->base": L1}   serial mode: one key per hop (intervention i reads
//                                           source_i); each L takes the short forms above, or pyvene's own nesting
//                                           [S, T] with S, T per intervention of the hop (one here), per row, units,
//                                           e.g. {"source_0->source_1": [[[[1]]], [[[2]]]], "source_1->base": [[[[2]]], [[[5]]]]};
//                                           [S, T] per row without the hop's intervention level is read too
// A unit is a position (unit "pos"), a head ("h"), or for "h.pos" the pyvene pair [[heads], [positions]] per row.
// Not accepted: a null target ([3, null], pyvene's "the whole tensor"); say the positions instead.
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
  const short = shortForm(value, units, path);
  if (key === 'base') {
    // pyvene reads {"base": [a, b]} as a pair too (base b); the source side never applies to base-only runs.
    const base = short ? short.base : perIntervention(value, units, n, path);
    return { base, source: base.map(() => null) };
  }
  if (short) return short;
  if (!Array.isArray(value) || value.length !== 2) {
    throw new PatchbayError('EXPERIMENT_INVALID', 'expected a position, a [source, base] pair of positions, a list of positions, or [source_locations, base_locations]', path);
  }
  const base = perIntervention(value[1], units, n, `${path}[1]`);
  const source = value[0] === null ? base.map(() => null) : perIntervention(value[0], units, n, `${path}[0]`);
  return { source, base };
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
  const source: (Unit[][] | null)[] = [];
  for (let i = 0; i < n; i++) {
    const path = `unit_locations["source_${i}->${i === n - 1 ? 'base' : `source_${i + 1}`}"]`;
    if (!byIndex.has(i)) throw new PatchbayError('EXPERIMENT_INVALID', 'missing: every hop needs locations', path);
    const v = byIndex.get(i);
    const unit = units[i]!;
    const short = shortForm(v, [unit], path);
    if (short) { source.push(short.source[0]!); base.push(short.base[0]!); continue; }
    if (!Array.isArray(v) || v.length !== 2) {
      throw new PatchbayError('EXPERIMENT_INVALID', 'expected a position, [source, target] positions, a list of positions, or [source_units, target_units]', path);
    }
    source.push(v[0] === null ? null : hopSide(v[0], unit, `${path}[0]`));
    base.push(hopSide(v[1], unit, `${path}[1]`));
  }
  return { base, source };
}

/** One side of a hop: pyvene's [per intervention of the hop][per row][units], or the same without the first level. */
function hopSide(v: unknown, unit: UnitKind, path: string): Unit[][] {
  if (!Array.isArray(v)) throw new PatchbayError('EXPERIMENT_INVALID', 'expected a list with one entry per batch row (or pyvene\'s [per intervention][per row] nesting)', path);
  if (depth(v) !== rowDepth(unit) + 1) return perRow(v, unit, path);
  if (v.length !== 1) {
    throw new PatchbayError('EXPERIMENT_INVALID', `gives locations for ${v.length} interventions in this hop; serial mode runs one intervention per hop (one source each)`, path);
  }
  return perRow(v[0], unit, `${path}[0]`);
}

/** pyvene's shorthands, broadcast to every intervention; null when the value is the full [source, base] nesting. */
function shortForm(value: unknown, units: UnitKind[], path: string): NormalizedLocations | null {
  const all = (v: number, p: string) => units.map((u) => broadcastInt(v, u, p));
  if (typeof value === 'number') return { source: all(value, path), base: all(value, path) };
  if (!Array.isArray(value) || value.length === 0) {
    throw new PatchbayError('EXPERIMENT_INVALID', 'expected a position, a list of positions, or pyvene\'s [source, base] nesting', path);
  }
  const [a, b] = value as unknown[];
  if (value.length === 2 && (typeof a === 'number' || a === null) && (typeof b === 'number' || b === null)) {
    if (b === null) {
      throw new PatchbayError('CONFIG_UNSUPPORTED', 'a null target (pyvene: the whole tensor) is not supported; list the target positions', `${path}[1]`);
    }
    return { source: a === null ? units.map(() => null) : all(a, `${path}[0]`), base: all(b, `${path}[1]`) };
  }
  if (!value.every((v) => typeof v === 'number')) return null;
  const flat = units.map((u) => {
    if (u === 'h.pos') throw new PatchbayError('EXPERIMENT_INVALID', 'unit "h.pos" needs [[heads], [positions]], not a flat list', path);
    value.forEach((x, i) => checkIndex(x, `${path}[${i}]`));
    return [(value as number[]).map((i) => (u === 'h' ? { head: i } : { pos: i }))];
  });
  return { source: flat, base: flat };
}

/** How deep one intervention's per-row locations nest: rows × units, or for "h.pos" [heads|positions] × rows × units. */
function rowDepth(unit: UnitKind): number {
  return unit === 'h.pos' ? 3 : 2;
}

function depth(v: unknown): number {
  return Array.isArray(v) ? 1 + v.reduce<number>((m, x) => Math.max(m, depth(x)), 0) : 0;
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
