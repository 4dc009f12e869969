// pyvene compatibility: read a saved IntervenableConfig (config.json: representations as positional arrays or
// dicts, intervention types as class strings) into Patchbay's config, and write one from an experiment. Parameters
// pyvene keeps in torch binaries (rotations, constant sources) travel in a "patchbay" extension field, which pyvene
// ignores, so experiment → config.json → experiment is lossless. Stage: plan (input side).
import { PatchbayError } from '../errors.js';
import { INTERVENTION_TYPES, interventionTypeName, lookupIntervention } from '../interventions/registry.js';
import type { ExperimentDoc, Representation } from './experiment-schema.js';

/** RepresentationConfig's fields in pyvene's positional order. */
export const PYVENE_FIELDS = [
  'layer', 'component', 'unit', 'max_number_of_units', 'low_rank_dimension', 'intervention_type', 'intervention',
  'subspace_partition', 'group_key', 'intervention_link_key', 'moe_key', 'source_representation', 'hidden_source_representation',
] as const;

export interface ImportedConfig {
  config: { mode: 'parallel' | 'serial'; representations: Representation[] };
  warnings: string[];
}

export function importPyveneConfig(json: unknown): ImportedConfig {
  if (!json || typeof json !== 'object') throw new PatchbayError('CONFIG_UNSUPPORTED', 'a pyvene config must be a JSON object');
  const cfg = json as Record<string, unknown>;
  const reps = Array.isArray(cfg.representations) ? cfg.representations : cfg.representations ? [cfg.representations] : [];
  if (reps.length === 0) throw new PatchbayError('CONFIG_UNSUPPORTED', 'the config has no representations', 'representations');
  const types = Array.isArray(cfg.intervention_types) ? cfg.intervention_types : cfg.intervention_types != null ? [cfg.intervention_types] : [];
  const ext = (cfg.patchbay ?? {}) as { params?: (Record<string, unknown> | null)[]; source_representations?: (number[] | null)[] };
  const warnings: string[] = [];
  const representations = reps.map((raw, i) => {
    const path = `representations[${i}]`;
    const r = asRecord(raw, path);
    if (r.intervention != null) {
      throw new PatchbayError('CONFIG_UNSUPPORTED', 'an intervention object (a Python instance) cannot be imported; name its class in intervention_type', `${path}.intervention`);
    }
    if (r.moe_key != null) throw new PatchbayError('CONFIG_UNSUPPORTED', 'moe_key (mixture-of-experts routing) is not supported', `${path}.moe_key`);
    const typeString = String(r.intervention_type ?? types[i] ?? types[0] ?? 'VanillaIntervention');
    checkType(typeString, `${path}.intervention_type`);
    if (r.hidden_source_representation && !ext.source_representations?.[i]) {
      warnings.push(`${path}: pyvene stored a constant source in its binary files; give it as source_representation`);
    }
    const rep: Representation = {
      layer: Number(r.layer ?? 0),
      component: String(r.component ?? 'block_output'),
      unit: (r.unit ?? 'pos') as Representation['unit'],
      max_number_of_units: Number(r.max_number_of_units ?? 1),
      intervention_type: interventionTypeName(typeString),
      low_rank_dimension: (r.low_rank_dimension as number | null) ?? null,
      subspace_partition: (r.subspace_partition as number[][] | null) ?? null,
      group_key: (r.group_key as string | number | null) ?? null,
      intervention_link_key: (r.intervention_link_key as string | number | null) ?? null,
      source_representation: ext.source_representations?.[i] ?? (Array.isArray(r.source_representation) ? r.source_representation as number[] : null),
    };
    const params = ext.params?.[i];
    if (params) rep.params = params;
    return rep;
  });
  const mode = cfg.mode === 'serial' ? 'serial' : 'parallel';
  return { config: { mode, representations }, warnings };
}

function asRecord(raw: unknown, path: string): Record<string, unknown> {
  if (Array.isArray(raw)) {
    if (raw.length > PYVENE_FIELDS.length) throw new PatchbayError('CONFIG_UNSUPPORTED', `has ${raw.length} fields; RepresentationConfig has ${PYVENE_FIELDS.length}`, path);
    return Object.fromEntries(raw.map((v, k) => [PYVENE_FIELDS[k]!, v]));
  }
  if (raw && typeof raw === 'object') return raw as Record<string, unknown>;
  throw new PatchbayError('CONFIG_UNSUPPORTED', 'expected a RepresentationConfig as a list or an object', path);
}

function checkType(typeString: string, path: string): void {
  if (/lambda|<function/.test(typeString)) {
    throw new PatchbayError('CONFIG_UNSUPPORTED', `"${typeString}" is a Python function (lambda intervention): Patchbay cannot run Python code`, path);
  }
  const name = interventionTypeName(typeString);
  if (!INTERVENTION_TYPES.some((t) => t.name === name)) {
    throw new PatchbayError('CONFIG_UNSUPPORTED', `"${typeString}" is not a pyvene intervention Patchbay implements (custom classes cannot be imported); known: ${INTERVENTION_TYPES.map((t) => t.name).join(', ')}`, path);
  }
}

/** pyvene's saved config.json for an experiment (plus the "patchbay" extension with parameters). */
export function exportPyveneConfig(doc: ExperimentDoc): Record<string, unknown> {
  const reps = doc.config.representations;
  return {
    model_type: null,
    representations: reps.map((r) => PYVENE_FIELDS.map((f) => {
      switch (f) {
        case 'intervention_type': case 'intervention': case 'moe_key': case 'source_representation': return null;
        case 'hidden_source_representation': return r.source_representation ? true : null;
        default: return (r as Record<string, unknown>)[f] ?? null;
      }
    })),
    intervention_types: reps.map((r) => `<class 'pyvene.models.interventions.${lookupIntervention(r.intervention_type).name}'>`),
    mode: doc.config.mode,
    sorted_keys: null,
    intervention_dimensions: null,
    patchbay: {
      params: reps.map((r) => (r.params && Object.keys(r.params).length > 0 ? r.params : null)),
      source_representations: reps.map((r) => r.source_representation ?? null),
    },
  };
}
