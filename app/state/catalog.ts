// The bundled models: public/models/index.json lists ids, each public/models/<id>/patchbay.json describes one
// (display name, facts, graph file, classroom presets). Read-only data fetched from our own origin.

export interface TracePreset { name: string; prompt: string; subject: string; answer: string }
/** `position`: the base and source position patched (the last subject token); without it, the last token where base
 *  and source differ, which misses the subject when both end in the same word ("Kelan Quell" / "Tessa Quell"). */
export interface PatchingPreset { name: string; base: string; source: string; component: string; answer: string; layer?: number; position?: number; note?: string }
export interface PresetSite { source: number; layer: number; position: number | 'last token' | 'last subject token' | string }
/** Several sources in one run. `mode` "serial" chains them (pyvene's serial mode): site i reads source i and is
 *  patched into the run of source i+1, the last one into the base. */
export interface MultiSourcePreset { name: string; base: string; sources: string[]; component?: string; sites?: PresetSite[]; mode?: 'parallel' | 'serial'; note?: string }
export interface SteeringPreset { name: string; prompt: string; positive: string; negative: string; layer: number; coefficient: number; note?: string }
/** Steering while generating (the Generate view): a steering preset plus where it applies, how many tokens, and the
 *  continuations PyTorch wrote (original, steered towards positive, towards negative). */
export interface GenerationPreset extends SteeringPreset {
  intervene_on?: 'prompt' | 'generated' | 'both';
  max_new_tokens?: number;
  continuations?: Record<string, string>;
}

/** A time-step intervention on a recurrent network (the GRU panel; fields as in app/components/recurrent/gru-doc.ts). */
export interface TimeStepPresetEntry {
  name: string; base: string; source: string; layer: number; component: 'block_output' | 'layer_output';
  source_t: number; base_t: number; intervention_type?: 'VanillaIntervention' | 'ZeroIntervention'; note?: string;
}

export interface BundledModel {
  id: string;
  display_name: string;
  description: string;
  family: string;
  files: { model?: string };
  facts: Partial<Record<'layers' | 'd_model' | 'heads' | 'd_head' | 'd_mlp' | 'vocab' | 'context' | 'params' | 'bytes', number>>;
  /** The gender case study's name lists (the Probe vs DAS view's default pairs). */
  name_lists?: { male: string[]; female: string[] };
  presets: { traces: TracePreset[]; patching: PatchingPreset[]; multi_source: MultiSourcePreset[]; steering: SteeringPreset[]; generation: GenerationPreset[]; time_step: TimeStepPresetEntry[] };
}

const base = () => `${import.meta.env.BASE_URL}models/`;

async function json(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

function manifest(id: string, raw: unknown): BundledModel {
  const m = (raw ?? {}) as Partial<BundledModel>;
  const p = (m.presets ?? {}) as Partial<BundledModel['presets']>;
  return {
    id,
    display_name: typeof m.display_name === 'string' ? m.display_name : id,
    description: typeof m.description === 'string' ? m.description : '',
    family: typeof m.family === 'string' ? m.family : '',
    files: m.files ?? {},
    facts: m.facts ?? {},
    ...(nameLists(m.name_lists) ? { name_lists: nameLists(m.name_lists) } : {}),
    presets: { traces: p.traces ?? [], patching: p.patching ?? [], multi_source: p.multi_source ?? [], steering: p.steering ?? [], generation: p.generation ?? [], time_step: p.time_step ?? [] },
  };
}

function nameLists(raw: unknown): BundledModel['name_lists'] {
  const l = raw as { male?: unknown; female?: unknown } | undefined;
  const strings = (x: unknown) => (Array.isArray(x) ? x.filter((n): n is string => typeof n === 'string') : []);
  return l && strings(l.male).length && strings(l.female).length ? { male: strings(l.male), female: strings(l.female) } : undefined;
}

/** Every bundled model with its manifest; models whose manifest is missing or broken are left out. */
export async function fetchCatalog(): Promise<BundledModel[]> {
  let ids: string[];
  try {
    const index = (await json(`${base()}index.json`)) as { models?: unknown };
    ids = Array.isArray(index.models) ? index.models.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
  const all = await Promise.all(ids.map(async (id) => {
    try {
      return manifest(id, await json(`${base()}${encodeURIComponent(id)}/patchbay.json`));
    } catch {
      return undefined;
    }
  }));
  return all.filter((m): m is BundledModel => !!m);
}
