// Turns a validated experiment document into a plan for one model: token ids, sites, normalised locations, source
// assignment (groups), constant sources and subspaces, each checked against the model. Stage: plan.
import { PatchbayError } from '../errors.js';
import type { LoadedModel } from '../model/load-model.js';
import { isComponent, COMPONENT_INFO, type Component } from '../sites/components.js';
import { siteId, type SiteRef } from '../sites/site-id.js';
import { lookupIntervention } from '../interventions/registry.js';
import type { InterventionType } from '../interventions/intervention-type.js';
import type { ExperimentDoc, TokenInput } from './experiment-schema.js';
import { normalizeUnitLocations, type Unit } from './unit-locations.js';
import { rowGeometry, unitOffsets } from './site-geometry.js';

export interface PlannedIntervention {
  index: number;
  site: SiteRef;
  siteId: string;
  type: InterventionType<Record<string, unknown>>;
  params: Record<string, unknown>;
  /** Which source input feeds it (null: sourceless or constant). */
  sourceIndex: number | null;
  constant: Float32Array | null;
  /** Feature-vector offsets within one base row, and the paired source offsets (same length) when sourced. */
  baseOffsets: number[];
  sourceOffsets: number[] | null;
  baseUnits: Unit[];
  subspace: number[] | null;
}

export interface Plan {
  baseIds: number[];
  sourceIds: number[][];
  interventions: PlannedIntervention[];
  mode: 'parallel' | 'serial';
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

export function planExperiment(model: LoadedModel, doc: ExperimentDoc): Plan {
  const { dims } = model.info;
  const baseIds = tokenize(model, doc.base, 'base');
  const sourceIds = doc.sources.map((s, i) => tokenize(model, s, `sources[${i}]`));
  const reps = doc.config.representations;
  const locations = normalizeUnitLocations(doc.unit_locations, reps.map((r) => r.unit));
  const groups = new Map<string, number>();
  const interventions = reps.map((rep, index): PlannedIntervention => {
    const path = `config.representations[${index}]`;
    if (!isComponent(rep.component)) {
      throw new PatchbayError('SITE_UNKNOWN', `unknown component "${rep.component}"`, `${path}.component`);
    }
    const component: Component = rep.component;
    if (rep.layer >= dims.nLayers) {
      throw new PatchbayError('LAYER_OUT_OF_RANGE', `layer ${rep.layer} requested; the model has ${dims.nLayers} layers (0–${dims.nLayers - 1})`, `${path}.layer`);
    }
    if (component === 'token_embedding' && rep.layer !== 0) {
      throw new PatchbayError('SITE_UNKNOWN', 'token_embedding exists at layer 0 only', `${path}.layer`);
    }
    if (rep.unit !== 'pos' && !COMPONENT_INFO[component].perHead) {
      throw new PatchbayError('UNIT_INVALID', `unit "${rep.unit}" needs a component with a head axis; ${component} has none`, `${path}.unit`);
    }
    const type = lookupIntervention(rep.intervention_type, `${path}.intervention_type`);
    const parsed = type.params.safeParse(rep.params ?? {});
    if (!parsed.success) {
      throw new PatchbayError('INTERVENTION_INVALID', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), `${path}.params`);
    }
    const features = rowGeometry(component, dims, baseIds.length).features;
    const constant = constantSource(doc, rep.source_representation, rep.group_key, index, features, path);
    let sourceIndex: number | null = null;
    if (type.needsSource && !constant) {
      const key = rep.group_key != null ? `g:${rep.group_key}` : `i:${index}`;
      if (!groups.has(key)) groups.set(key, groups.size);
      sourceIndex = groups.get(key)!;
    }
    const baseUnits = locations.base[index]!;
    const baseOffsets = baseUnits.flatMap((u, k) => unitOffsets(component, dims, baseIds.length, u, `unit_locations base[${index}][${k}]`));
    let sourceOffsets: number[] | null = null;
    if (sourceIndex !== null) {
      const ids = sourceIds[sourceIndex];
      if (!ids) {
        throw new PatchbayError('SOURCE_MISSING', `intervention ${index} reads source ${sourceIndex}, but only ${sourceIds.length} source input(s) were given`, 'sources');
      }
      const units = locations.source[index];
      if (!units) throw new PatchbayError('EXPERIMENT_INVALID', `intervention ${index} needs source locations: use "sources->base"`, 'unit_locations');
      sourceOffsets = units.flatMap((u, k) => unitOffsets(component, dims, ids.length, u, `unit_locations source[${index}][${k}]`));
      if (sourceOffsets.length !== baseOffsets.length) {
        throw new PatchbayError('SHAPE_MISMATCH', `intervention ${index}: ${sourceOffsets.length} source unit(s) but ${baseOffsets.length} base unit(s); they pair one to one`, 'unit_locations');
      }
    }
    const subspace = subspaceFor(doc.subspaces, index, features);
    return { index, site: { layer: rep.layer, component }, siteId: siteId({ layer: rep.layer, component }), type, params: parsed.data,
      sourceIndex, constant, baseOffsets, sourceOffsets, baseUnits, subspace };
  });
  if (doc.sources.length > groups.size) {
    throw new PatchbayError('SOURCE_MISSING', `${doc.sources.length} sources given, but the interventions read ${groups.size}`, 'sources');
  }
  return { baseIds, sourceIds, interventions, mode: doc.config.mode };
}

function constantSource(doc: ExperimentDoc, inline: number[] | null | undefined, group: string | number | null | undefined, index: number, features: number, path: string): Float32Array | null {
  const byDoc = doc.source_representations?.[String(index)] ?? (group != null ? doc.source_representations?.[String(group)] : undefined);
  const values = inline ?? byDoc;
  if (!values) return null;
  if (values.length !== features) {
    throw new PatchbayError('SHAPE_MISMATCH', `constant source has ${values.length} values; the site has ${features} features`, `${path}.source_representation`);
  }
  return Float32Array.from(values);
}

function subspaceFor(subspaces: unknown[] | null | undefined, index: number, features: number): number[] | null {
  const raw = subspaces?.[index];
  if (raw == null) return null;
  // pyvene nests subspaces per batch row: [[0, 1, 2]]; a flat list means the same for the one row.
  const list = Array.isArray(raw) && raw.length === 1 && Array.isArray(raw[0]) ? raw[0] : raw;
  const path = `subspaces[${index}]`;
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= features)) {
    throw new PatchbayError('EXPERIMENT_INVALID', `expected feature indices between 0 and ${features - 1}`, path);
  }
  return list as number[];
}
