// Reading an experiment document typed or pasted into the JSON editor: our own format, or a pyvene
// IntervenableConfig (its "representations" as objects or as pyvene's positional lists, plus "intervention_types"),
// which is merged into the current document. Returns the document and every problem with its JSON path.
import { validateExperiment, type ValidationIssue } from '../../../engine/experiment/experiment-schema';
import { normalizeUnitLocations } from '../../../engine/experiment/unit-locations';
import { isPatchbayError } from '../../../engine/errors';

export type Imported = { ok: true; doc: Record<string, unknown>; converted: boolean } | { ok: false; errors: ValidationIssue[] };

/** pyvene's RepresentationConfig fields, in order (a config saved as lists keeps this order). */
const PYVENE_FIELDS = ['layer', 'component', 'unit', 'max_number_of_units', 'low_rank_dimension', 'intervention_type', 'intervention',
  'subspace_partition', 'group_key', 'intervention_link_key', 'moe_key', 'source_representation', 'hidden_source_representation', 'latent_dim'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function syntaxError(text: string, e: unknown): ValidationIssue {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /position (\d+)/.exec(msg);
  if (m) {
    const at = Number(m[1]);
    const before = text.slice(0, at).split('\n');
    return { path: `line ${before.length}, column ${before[before.length - 1]!.length + 1}`, message: msg.replace(/ in JSON at position \d+.*$/, '') };
  }
  return { path: '(JSON)', message: msg };
}

function fromPyvene(cfg: Record<string, unknown>, current: Record<string, unknown>): Record<string, unknown> {
  const types = cfg.intervention_types;
  const reps = (cfg.representations as unknown[]).map((r, i) => {
    const rep: Record<string, unknown> = Array.isArray(r)
      ? Object.fromEntries(r.map((v, k) => [PYVENE_FIELDS[k] ?? `field_${k}`, v]).filter(([, v]) => v !== null && v !== undefined))
      : { ...(r as Record<string, unknown>) };
    delete rep.intervention;
    delete rep.hidden_source_representation;
    delete rep.moe_key;
    delete rep.latent_dim;
    const t = Array.isArray(types) ? types[i] : types;
    if (rep.intervention_type == null && typeof t === 'string') rep.intervention_type = t;
    return rep;
  });
  const mode = cfg.mode === 'serial' ? 'serial' : 'parallel';
  const oldReps = (current.config as { representations?: unknown[] } | undefined)?.representations ?? [];
  return {
    ...current,
    config: { mode, representations: reps },
    unit_locations: cfg.unit_locations ?? (oldReps.length === reps.length ? current.unit_locations : { 'sources->base': 0 }),
  };
}

export function importDocument(text: string, current: Record<string, unknown>): Imported {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [syntaxError(text, e)] };
  }
  if (!isRecord(json)) return { ok: false, errors: [{ path: '(document)', message: 'expected a JSON object' }] };
  let doc = json;
  let converted = false;
  if (!('config' in json) && Array.isArray(json.representations)) {
    doc = fromPyvene(json, current);
    converted = true;
  }
  const v = validateExperiment(doc);
  if (!v.ok) return { ok: false, errors: v.errors };
  // unit_locations is free-form in the schema; its many pyvene shapes are checked by the engine's normaliser.
  try {
    normalizeUnitLocations(v.value.unit_locations, v.value.config.representations.map((r) => r.unit));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, errors: [{ path: isPatchbayError(e) && e.path ? e.path : 'unit_locations', message: message.replace(/^[^:]*\]: /, '') }] };
  }
  return { ok: true, doc, converted };
}
