// Turns a validated experiment document into a plan for one model: token ids (a batch of rows per input), sites,
// normalised locations per row, who reads which source and writes into which input (parallel groups or serial
// hops), constant sources, subspaces and projection bases, each checked against the model. Stage: plan.
import { PatchbayError } from '../errors.js';
import type { LoadedModel } from '../load/load-model.js';
import { isComponent, COMPONENT_INFO, type Component } from '../sites/components.js';
import { siteId, type SiteRef } from '../sites/site-id.js';
import { lookupIntervention } from '../interventions/registry.js';
import type { InterventionType } from '../interventions/intervention-type.js';
import type { Projection } from '../interventions/basis.js';
import { resolveSideFiles, type SideFiles } from '../interventions/params.js';
import { SKIP_FROM } from '../interventions/skip.js';
import type { BatchInput, ExperimentDoc, Representation, TokenInput } from './experiment-schema.js';
import { normalizeUnitLocations, type Unit } from './unit-locations.js';
import { unitOffsets } from './site-geometry.js';
import { rowGeometry } from '../sites/row-geometry.js';
import { resolveSubspaceRows } from './subspaces.js';
import { checkContext } from '../run/context-check.js';

/** An input of the experiment: the base, or source i. */
export type InputRef = 'base' | number;

/** Per batch row. A list of one entry applies to every row. */
export type PerRow<T> = T[];

export interface PlannedIntervention {
  index: number;
  site: SiteRef;
  siteId: string;
  type: InterventionType<Record<string, unknown>>;
  params: Record<string, unknown>;
  /** The source it reads (null: sourceless or constant). */
  sourceIndex: number | null;
  /** The input whose run it changes: the base, or (serial mode) the next source. */
  target: InputRef;
  constant: Float32Array | null;
  /** Per row: feature-vector offsets within that row of the target's run, and the paired source offsets. */
  targetOffsets: PerRow<number[]>;
  sourceOffsets: PerRow<number[]> | null;
  targetUnits: PerRow<Unit[]>;
  /** Per row: feature indices for basis-free types; null = all. */
  subspace: PerRow<number[] | null>;
  projection: PerRow<Projection> | null;
  /** Projected over all of a row's units at once (max_number_of_units > 1), as pyvene flattens them. */
  joint: boolean;
  skipFrom: SiteRef | null;
}

export interface Plan {
  /** Rows of the batch (1 for a single input). */
  batch: number;
  baseIds: number[][];
  /** Per source: its rows (1 row is shared by every row of the batch). */
  sourceIds: number[][][];
  interventions: PlannedIntervention[];
  mode: 'parallel' | 'serial';
}

/** The entry of a per-row list that applies to row r. */
export function rowOf<T>(list: PerRow<T>, r: number): T {
  return list.length === 1 ? list[0]! : list[r]!;
}

export function tokenize(model: LoadedModel, input: TokenInput, path: string): number[] {
  if (typeof input !== 'string') return input.input_ids;
  if (!model.tokenizer) {
    throw new PatchbayError('TOKENIZER_MISSING', `model ${model.info.name} has no tokenizer.json: give {"input_ids": [...]} instead of text`, path);
  }
  const ids = model.tokenizer.encode(input);
  if (ids.length === 0) throw new PatchbayError('INPUT_INVALID', 'the text encodes to no tokens', path);
  return ids;
}

/** An input's rows of token ids; every row must have the same length (no padding). */
export function tokenizeBatch(model: LoadedModel, input: BatchInput, path: string): number[][] {
  const rows = Array.isArray(input) ? input.map((t, i) => tokenize(model, t, `${path}[${i}]`)) : [tokenize(model, input, path)];
  checkContext(model.info.dims, rows[0]!.length, path === 'base' ? 'the base input' : `input ${path}`, path);
  const vocab = model.info.dims.vocabSize;
  for (const [i, row] of rows.entries()) {
    const id = row.find((x) => x >= vocab);
    if (id !== undefined) throw new PatchbayError('INPUT_INVALID', `token id ${id} is outside the vocabulary (0–${vocab - 1})`, Array.isArray(input) ? `${path}[${i}]` : path);
  }
  const bad = rows.findIndex((r) => r.length !== rows[0]!.length);
  if (bad > 0) {
    throw new PatchbayError('INPUT_INVALID', `row ${bad} has ${rows[bad]!.length} tokens and row 0 has ${rows[0]!.length}: the rows of a batch must have the same length`, path);
  }
  return rows;
}

export function planExperiment(model: LoadedModel, doc: ExperimentDoc, files: SideFiles = {}): Plan {
  const baseIds = tokenizeBatch(model, doc.base, 'base');
  const batch = baseIds.length;
  const sourceIds = doc.sources.map((s, i) => tokenizeBatch(model, s, `sources[${i}]`));
  sourceIds.forEach((rows, i) => {
    if (rows.length !== 1 && rows.length !== batch) {
      throw new PatchbayError('SHAPE_MISMATCH', `source ${i} has ${rows.length} rows; the base has ${batch} (give ${batch} or 1)`, `sources[${i}]`);
    }
  });
  const reps = doc.config.representations;
  const ctx: PlanContext = {
    model, doc, files, batch, baseIds, sourceIds, serial: doc.config.mode === 'serial',
    locations: normalizeUnitLocations(doc.unit_locations, reps.map((r) => r.unit)),
    linked: linkedParams(reps), groups: sourceGroups(reps), groupCount: 0, keyed: reps.some((r) => r.group_key != null),
  };
  const interventions = reps.map((rep, index) => planIntervention(ctx, rep, index));
  const read = ctx.serial ? reps.length : ctx.groups.size;
  if (doc.sources.length !== read && (ctx.serial || doc.sources.length > read)) {
    throw new PatchbayError('SOURCE_MISSING', `${doc.sources.length} sources given, but the interventions read ${read}`, 'sources');
  }
  return { batch, baseIds, sourceIds, interventions, mode: doc.config.mode };
}

interface PlanContext {
  model: LoadedModel;
  doc: ExperimentDoc;
  files: SideFiles;
  batch: number;
  baseIds: number[][];
  sourceIds: number[][][];
  serial: boolean;
  locations: ReturnType<typeof normalizeUnitLocations>;
  linked: Map<string, Record<string, unknown>>;
  /** Parallel mode: source group key → source index (pre-filled when group keys are used). */
  groups: Map<string, number>;
  groupCount: number;
  /** Whether group keys are in use (then every sourced intervention needs one). */
  keyed: boolean;
}

/** pyvene reads source i for the i-th group key in ascending order; without group keys, one source per
 *  intervention in order. */
export function sourceGroups(reps: Representation[]): Map<string, number> {
  const keys = [...new Set(reps.filter((r) => r.group_key != null).map((r) => r.group_key!))];
  keys.sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))));
  return new Map(keys.map((k, i) => [String(k), i]));
}

function planIntervention(ctx: PlanContext, rep: Representation, index: number): PlannedIntervention {
  const { model, batch } = ctx;
  const path = `config.representations[${index}]`;
  const site = checkSite(model, rep, path);
  const type = lookupIntervention(rep.intervention_type, `${path}.intervention_type`);
  const params = parseParams(ctx, type, rep, path);
  const seqOf = (r: InputRef) => (r === 'base' ? ctx.baseIds : ctx.sourceIds[r]!)[0]!.length;
  const features = rowGeometry(site.component, model.info.dims, seqOf('base')).features;
  const constant = constantSource(ctx.doc, rep, index, features, path);
  const { sourceIndex, target } = assignSource(ctx, type, rep, index, constant !== null, path);
  const targetUnits = checkRows(ctx.locations.base[index]!, batch, `unit_locations (intervention ${index})`);
  const targetSeq = seqOf(target);
  const targetOffsets = targetUnits.map((units, r) => units.flatMap((u, k) => unitOffsets(site.component, model.info.dims, targetSeq, u, `unit_locations target[${index}][${r}][${k}]`)));
  const sourceOffsets = sourceIndex === null ? null
    : pairedSourceOffsets(model, site.component, ctx.locations.source[index] ?? null, seqOf(sourceIndex), targetOffsets, batch, index);
  const subspaceRaw = ctx.doc.subspaces?.[index];
  const interchangeDim = typeof params.interchange_dim === 'number' ? params.interchange_dim : undefined;
  const select = (size: number) => checkRows(resolveSubspaceRows(subspaceRaw, rep.subspace_partition, interchangeDim, size, `subspaces[${index}]`), batch, `subspaces[${index}]`);
  let subspace: PerRow<number[] | null> = [null];
  let projection: PerRow<Projection> | null = null;
  const joint = type.slotKind === 'projected' && rep.max_number_of_units > 1;
  if (type.slotKind === 'projected') {
    // Several units rotate together: their feature vectors concatenate, in location order, into one of k·F.
    const width = joint ? checkUnitCount(targetUnits, rep.max_number_of_units, index) * features : features;
    projection = select(type.coordinates!(params, width)).map((c) => type.projection!(params, c, width));
  } else {
    subspace = select(features);
  }
  const skipFrom = type.slotKind === 'skip' ? skipSource(site, path) : null;
  return { index, site, siteId: siteId(site), type, params, sourceIndex, target, constant, targetOffsets, sourceOffsets, targetUnits, subspace, projection, joint, skipFrom };
}

/** The type's parameters (or, without any, those of an intervention with the same link key), side files read. */
function parseParams(ctx: PlanContext, type: InterventionType<Record<string, unknown>>, rep: Representation, path: string): Record<string, unknown> {
  const raw = rep.params && Object.keys(rep.params).length > 0 ? rep.params : ctx.linked.get(String(rep.intervention_link_key)) ?? {};
  const parsed = type.params.safeParse(resolveSideFiles(raw, ctx.files, `${path}.params`));
  if (!parsed.success) {
    throw new PatchbayError('INTERVENTION_INVALID', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), `${path}.params`);
  }
  return parsed.data;
}

/** Which source an intervention reads and which input it changes: parallel groups, or serial hops. */
function assignSource(ctx: PlanContext, type: InterventionType<Record<string, unknown>>, rep: Representation, index: number, constant: boolean, path: string): { sourceIndex: number | null; target: InputRef } {
  let sourceIndex: number | null = null;
  let target: InputRef = 'base';
  if (ctx.serial) {
    if (!type.needsSource || constant) {
      throw new PatchbayError('CONFIG_UNSUPPORTED', 'serial mode chains sources: every intervention must read one', `${path}.intervention_type`);
    }
    sourceIndex = index;
    target = index + 1 < ctx.doc.config.representations.length ? index + 1 : 'base';
  } else if (type.needsSource && !constant) {
    if (ctx.keyed && rep.group_key == null) {
      throw new PatchbayError('EXPERIMENT_INVALID', 'when any intervention has a group_key, every intervention that reads a source needs one (as in pyvene)', `${path}.group_key`);
    }
    const key = rep.group_key != null ? String(rep.group_key) : `#${index}`;
    if (rep.group_key == null) ctx.groups.set(key, ctx.groupCount++);
    sourceIndex = ctx.groups.get(key)!;
  }
  if (sourceIndex !== null && !ctx.sourceIds[sourceIndex]) {
    throw new PatchbayError('SOURCE_MISSING', `intervention ${index} reads source ${sourceIndex}, but only ${ctx.sourceIds.length} source input(s) were given`, 'sources');
  }
  return { sourceIndex, target };
}

/** A joint rotation needs exactly max_number_of_units units in every row. */
function checkUnitCount(rows: Unit[][], k: number, index: number): number {
  const bad = rows.findIndex((r) => r.length !== k);
  if (bad >= 0) {
    throw new PatchbayError('SHAPE_MISMATCH', `intervention ${index} rotates max_number_of_units = ${k} units together, but row ${bad} has ${rows[bad]!.length}`, 'unit_locations');
  }
  return k;
}

/** A per-row list must have one entry (shared) or one per row of the batch. */
function checkRows<T>(list: T[], batch: number, path: string): T[] {
  if (list.length !== 1 && list.length !== batch) {
    throw new PatchbayError('EXPERIMENT_INVALID', `has ${list.length} batch rows; the base has ${batch} (give ${batch}, or 1 for all)`, path);
  }
  return list;
}

function checkSite(model: LoadedModel, rep: Representation, path: string): SiteRef {
  const { dims } = model.info;
  if (!isComponent(rep.component)) throw new PatchbayError('SITE_UNKNOWN', `unknown component "${rep.component}"`, `${path}.component`);
  const component: Component = rep.component;
  if (rep.layer >= dims.nLayers) {
    throw new PatchbayError('LAYER_OUT_OF_RANGE', `layer ${rep.layer} requested; the model has ${dims.nLayers} layers (0–${dims.nLayers - 1})`, `${path}.layer`);
  }
  if (component === 'token_embedding' && rep.layer !== 0) throw new PatchbayError('SITE_UNKNOWN', 'token_embedding exists at layer 0 only', `${path}.layer`);
  const gap = model.info.unavailableSites[siteId({ layer: rep.layer, component })];
  if (gap) throw new PatchbayError('SITE_UNAVAILABLE', `${component} at layer ${rep.layer} is not available in this model: ${gap}`, path);
  if (rep.unit !== 'pos' && !COMPONENT_INFO[component].perHead) {
    throw new PatchbayError('UNIT_INVALID', `unit "${rep.unit}" needs a component with a head axis; ${component} has none`, `${path}.unit`);
  }
  return { layer: rep.layer, component };
}

/** Interventions sharing an intervention_link_key share weights: the first one's params serve the others. */
function linkedParams(reps: Representation[]): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const r of reps) {
    if (r.intervention_link_key != null && r.params && Object.keys(r.params).length > 0 && !out.has(String(r.intervention_link_key))) {
      out.set(String(r.intervention_link_key), r.params);
    }
  }
  return out;
}

function pairedSourceOffsets(model: LoadedModel, component: Component, units: Unit[][] | null, seq: number, target: number[][], batch: number, index: number): number[][] {
  if (!units) throw new PatchbayError('EXPERIMENT_INVALID', `intervention ${index} needs source locations: use "sources->base"`, 'unit_locations');
  const rows = checkRows(units, batch, `unit_locations (intervention ${index}, source)`);
  const offsets = rows.map((row, r) => row.flatMap((u, k) => unitOffsets(component, model.info.dims, seq, u, `unit_locations source[${index}][${r}][${k}]`)));
  const width = Math.max(offsets.length, target.length);
  for (let r = 0; r < width; r++) {
    const s = rowOf(offsets, r).length;
    const t = rowOf(target, r).length;
    if (s !== t) {
      throw new PatchbayError('SHAPE_MISMATCH', `intervention ${index}: ${s} source unit(s) but ${t} base unit(s)${width > 1 ? ` in row ${r}` : ''}; they pair one to one`, 'unit_locations');
    }
  }
  return offsets;
}

function skipSource(site: SiteRef, path: string): SiteRef {
  const from = SKIP_FROM[site.component];
  if (!from) {
    throw new PatchbayError('UNIT_INVALID', `SkipIntervention applies to ${Object.keys(SKIP_FROM).join(', ')} (a module's output, replaced by its input); not ${site.component}`, `${path}.component`);
  }
  return { layer: site.layer, component: from };
}

function constantSource(doc: ExperimentDoc, rep: Representation, index: number, features: number, path: string): Float32Array | null {
  const byDoc = doc.source_representations?.[String(index)] ?? (rep.group_key != null ? doc.source_representations?.[String(rep.group_key)] : undefined);
  const values = rep.source_representation ?? byDoc;
  if (!values) return null;
  if (values.length !== features) {
    throw new PatchbayError('SHAPE_MISMATCH', `constant source has ${values.length} values; the site has ${features} features`, `${path}.source_representation`);
  }
  return Float32Array.from(values);
}
