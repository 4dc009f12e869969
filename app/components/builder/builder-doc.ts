// The intervention builder's model of a pyvene-style experiment document: prompts, and per intervention its site,
// type, units and source. parseDoc reads any document the builder can show (unit_locations in every pyvene form);
// buildDoc writes the canonical form back. Unknown fields ride along untouched. Pure functions, no React.
import { normalizeUnitLocations, type Unit } from '../../../engine/experiment/unit-locations';

export type UnitKind = 'pos' | 'h' | 'h.pos';

export interface RepModel {
  layer: number;
  component: string;
  unit: UnitKind;
  type: string;
  /** Base positions, source positions (paired in order; the same list when the source is aligned), heads. */
  base: number[];
  source: number[];
  heads: number[];
  /** Which source input feeds it (for types that read one). */
  sourceIndex: number;
  /** Other RepresentationConfig fields (params, low_rank_dimension, …), kept as they are. */
  extra: Record<string, unknown>;
}

export interface BuilderModel {
  base: string;
  sources: string[];
  reps: RepModel[];
  /** Top-level fields the builder does not edit (format, model, mode, subspaces, options, …). */
  rest: Record<string, unknown>;
  config: Record<string, unknown>;
}

export type Parsed = { ok: true; value: BuilderModel } | { ok: false; reason: string };

const REP_KEYS = new Set(['layer', 'component', 'unit', 'intervention_type', 'group_key']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function uniq(xs: (number | undefined)[]): number[] {
  return [...new Set(xs.filter((x): x is number => x !== undefined))];
}

export function parseDoc(doc: Record<string, unknown>): Parsed {
  const { base, sources = [], config, unit_locations: locations, ...rest } = doc;
  if (typeof base !== 'string') return { ok: false, reason: 'the builder edits text prompts; this document gives the base as input_ids (edit the JSON instead)' };
  if (!Array.isArray(sources) || !sources.every((s): s is string => typeof s === 'string')) {
    return { ok: false, reason: 'the builder edits text prompts; this document gives a source as input_ids (edit the JSON instead)' };
  }
  if (!isRecord(config) || !Array.isArray(config.representations)) return { ok: false, reason: 'config.representations is missing' };
  const { representations, ...configRest } = config;
  const raw = representations as unknown[];
  if (!raw.every(isRecord)) return { ok: false, reason: 'every representation must be an object' };
  const reps = raw as Record<string, unknown>[];
  const units = reps.map((r) => (r.unit === 'h' || r.unit === 'h.pos' ? r.unit : 'pos') as UnitKind);
  let locs: { base: Unit[][]; source: (Unit[] | null)[] } = { base: reps.map(() => []), source: reps.map(() => null) };
  if (reps.length > 0) {
    try {
      const n = normalizeUnitLocations(isRecord(locations) ? locations : null, units);
      if ([...n.base, ...n.source].some((rows) => rows && rows.length > 1)) {
        return { ok: false, reason: 'the builder edits one base row; this document gives locations for several (edit the JSON instead)' };
      }
      locs = { base: n.base.map((rows) => rows[0] ?? []), source: n.source.map((rows) => rows?.[0] ?? null) };
    } catch (e) {
      return { ok: false, reason: e instanceof Error ? e.message : String(e) };
    }
  }
  if (isRecord(locations) && Object.keys(locations).some((k) => k !== 'base' && k !== 'sources->base')) {
    return { ok: false, reason: 'the builder edits "sources->base" and "base" locations; this document chains sources (serial mode): edit the JSON instead' };
  }
  const groups = new Map<string, number>();
  const models = reps.map((r, i): RepModel => {
    const key = r.group_key != null ? `g:${String(r.group_key)}` : `i:${i}`;
    const b = locs.base[i] ?? [];
    const s = locs.source[i] ?? b;
    const extra = Object.fromEntries(Object.entries(r).filter(([k]) => !REP_KEYS.has(k)));
    if (!groups.has(key)) groups.set(key, typeof r.group_key === 'number' ? r.group_key : groups.size);
    return {
      layer: typeof r.layer === 'number' ? r.layer : 0,
      component: typeof r.component === 'string' ? r.component : 'block_output',
      unit: units[i]!,
      type: typeof r.intervention_type === 'string' ? r.intervention_type : 'VanillaIntervention',
      // Positions pair one to one in order, and may repeat (one source position written to many base positions).
      base: units[i] === 'pos' ? b.map((u) => u.pos!) : uniq(b.map((u) => u.pos)),
      source: units[i] === 'pos' ? s.map((u) => u.pos!) : uniq(s.map((u) => u.pos)),
      heads: uniq(b.map((u) => u.head)),
      sourceIndex: groups.get(key)!,
      extra,
    };
  });
  return { ok: true, value: { base, sources, reps: models, rest, config: configRest } };
}

/** One intervention's units for one side, in pyvene's per-row nesting. */
function side(r: RepModel, positions: number[]): unknown {
  if (r.unit === 'h') return [r.heads];
  if (r.unit === 'h.pos') return [[r.heads], [positions]];
  return [positions];
}

export function buildDoc(m: BuilderModel, needsSource: (type: string) => boolean): Record<string, unknown> {
  const representations = m.reps.map((r) => {
    const rep: Record<string, unknown> = { layer: r.layer, component: r.component, unit: r.unit, intervention_type: r.type, ...r.extra };
    if (needsSource(r.type) && !r.extra.source_representation) rep.group_key = r.sourceIndex;
    return rep;
  });
  const sourced = m.reps.some((r) => needsSource(r.type) && !r.extra.source_representation);
  const baseLocs = m.reps.map((r) => side(r, r.base));
  const unit_locations = sourced
    ? { 'sources->base': [m.reps.map((r) => side(r, r.source.length === r.base.length ? r.source : r.base)), baseLocs] }
    : { base: baseLocs };
  return {
    ...m.rest,
    base: m.base,
    sources: m.sources,
    config: { ...m.config, representations },
    unit_locations,
  };
}

/** Toggles a position in a sorted list. */
export function togglePosition(list: number[], pos: number): number[] {
  return list.includes(pos) ? list.filter((p) => p !== pos) : [...list, pos].sort((a, b) => a - b);
}

/** A click on a token: alone it chooses that position; with a modifier it adds or removes it. Never empty. */
export function choosePosition(list: number[], pos: number, extend: boolean): number[] {
  if (!extend) return [pos];
  const next = togglePosition(list, pos);
  return next.length ? next : list;
}

/** A new intervention at a site: interchange at the last base position (from the last source position). */
export function newRep(layer: number, component: string, perHead: boolean, lastPos: number, lastSourcePos = lastPos): RepModel {
  return {
    layer, component, unit: perHead ? 'h' : 'pos', type: 'VanillaIntervention', base: perHead ? [] : [lastPos], source: perHead ? [] : [lastSourcePos],
    heads: perHead ? [0] : [], sourceIndex: 0, extra: {},
  };
}
