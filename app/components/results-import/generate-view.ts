// An imported generation result (`patchbay generate --json`, an exported generate script's result.json) as the
// Generate screen draws an in-browser generation: both continuations token by token with each token's probability
// (or, for files without `tokens`, their text), and the Generate settings of the document the file carries. Pure.
import type { GenerateFile } from '../../../engine/io/result-files';
import type { GenerateResult } from '../../../engine/experiments/generate';
import { parseSteerSpec } from '../../../engine/experiments/generate/steer-spec';
import { ExperimentSchema, type GenerateSettings } from '../../link/schema';

/** What the Generate screen shows for a file: an in-browser result's shape plus what only a file lacks or names. */
export interface ImportedGeneration extends GenerateResult {
  /** The prompt's text, when the file carries its document; null: only its ids are in the file. */
  prompt: string | null;
  /** False when the file holds ids and text only (written before per-token probabilities were recorded). */
  hasProbs: boolean;
  /** The intervened column's title: "Steered (× 4.0)" for a steering document, else "Intervened". */
  label: string;
}

export function isImportedGeneration(r: GenerateResult | null): r is ImportedGeneration {
  return !!r && 'hasProbs' in r;
}

export interface GenerationView { result: ImportedGeneration; settings: Partial<GenerateSettings>; carried: string }

/** The view of a parsed generation file; `current` is the Generate screen's settings, `nLayers` the workbench
 *  model's layer count (for a steering spec over every layer, "L*"), null without a model. */
export function generationView(g: GenerateFile, current: GenerateSettings, nLayers: number | null): GenerationView {
  const hasProbs = !!g.original.tokens && !!g.intervened.tokens;
  const continuation = (c: GenerateFile['original']) => ({ ids: c.ids, text: c.text, tokens: hasProbs ? c.tokens!.map(({ id, text, prob }) => ({ id, text, prob })) : [] });
  const doc = (g as { experiment?: unknown }).experiment;
  const fromDoc = doc && typeof doc === 'object' && !Array.isArray(doc) ? documentSettings(doc as Record<string, unknown>, current, nLayers) : null;
  const settings = fromDoc?.settings ?? {};
  const steered = settings.use === 'steer' && settings.steer;
  const result: ImportedGeneration = {
    prompt_ids: g.prompt_ids, original: continuation(g.original), intervened: continuation(g.intervened), cached: false,
    prompt: typeof settings.prompt === 'string' ? settings.prompt : null, hasProbs,
    label: steered ? `Steered (× ${settings.steer!.coefficient.toFixed(1)})` : 'Intervened',
  };
  const n = g.prompt_ids.length;
  const carried = fromDoc?.carried ?? `nothing: the file holds the prompt as ${n} token id${n === 1 ? '' : 's'}, not its text, and not what ` +
    'intervened (the settings shown are not from this file)';
  return { result, settings, carried };
}

/** A generation document ({"kind": "generate", prompt, steer | experiment, max_new_tokens, intervene_on, …}, what
 *  `patchbay export` reads) as Generate settings; another experiment document carries its base as the prompt only.
 *  An experiment document inside stays out of the Interventions screen (the import covers the Generate screen). */
function documentSettings(doc: Record<string, unknown>, current: GenerateSettings, nLayers: number | null): { settings: Partial<GenerateSettings>; carried: string } | null {
  if (doc.kind !== 'generate') {
    if (typeof doc.base !== 'string') return null;
    return { settings: { prompt: doc.base }, carried: 'the prompt (the experiment document\'s base; its interventions are not set here)' };
  }
  const inner = doc.experiment && typeof doc.experiment === 'object' ? doc.experiment as Record<string, unknown> : null;
  const prompt = typeof doc.prompt === 'string' ? doc.prompt : typeof inner?.base === 'string' ? inner.base : null;
  if (prompt === null) return null;
  const s: Partial<GenerateSettings> = { prompt };
  const parts = ['prompt'];
  const steer: ReturnType<typeof steerSettings> = inner
    ? { why: 'its interventions (an experiment document) are not set on the Interventions screen' }
    : steerSettings(doc.steer, current.steer, nLayers);
  if ('steer' in steer) {
    s.use = 'steer';
    s.steer = steer.steer;
    parts.push('steering vector');
  }
  if (typeof doc.max_new_tokens === 'number' && Number.isInteger(doc.max_new_tokens)) {
    s.max_new_tokens = Math.min(256, Math.max(1, doc.max_new_tokens));
    parts.push('new tokens');
  }
  if (doc.intervene_on === 'prompt' || doc.intervene_on === 'generated' || doc.intervene_on === 'both') {
    s.intervene_on = doc.intervene_on;
    parts.push('where it applies');
  }
  if (typeof doc.stop_at_eos === 'boolean') s.stop_at_eos = doc.stop_at_eos;
  // The exported scripts decode greedily; a document without a temperature is greedy.
  s.temperature = typeof doc.temperature === 'number' && doc.temperature >= 0 && doc.temperature <= 10 ? doc.temperature : 0;
  parts.push(s.temperature === 0 ? 'greedy decoding' : 'temperature');
  const merged = ExperimentSchema.shape.generate.safeParse({ ...current, ...s });
  if (!merged.success) return { settings: { prompt: prompt.slice(0, 2000) }, carried: 'the prompt (the document\'s other settings are outside what the Generate screen holds)' };
  const carried = `${list(parts)} of the generation document${'why' in steer ? `; ${steer.why}` : ''}`;
  return { settings: s, carried };
}

/** `steer` as the Generate screen's steering settings, or why it cannot be one. */
function steerSettings(steer: unknown, current: GenerateSettings['steer'], nLayers: number | null): { steer: GenerateSettings['steer'] } | { why: string } {
  if (steer === undefined) return { why: 'no steering vector in it' };
  const text = typeof steer === 'string' ? steer : JSON.stringify(steer);
  const every = typeof steer === 'string' ? /^\s*L\*\./.test(steer) : (steer as { layers?: unknown }).layers === '*';
  if (every && nLayers === null) return { why: 'the steering vector applies at every layer of the file\'s model: choose the layers once a model is open' };
  let spec;
  try {
    spec = parseSteerSpec(text, nLayers ?? 1);
  } catch (e) {
    return { why: `its steering vector is not one the screen reads (${(e as Error).message})` };
  }
  const src = spec.source;
  if (src.kind === 'trained') return { why: `its steering vector comes from a trained intervention (${src.file}): load that file under "from a trained intervention"` };
  const base = { ...current, layers: spec.layers, component: spec.component, coefficient: spec.coefficient };
  if (src.kind === 'diff') return { steer: { ...base, kind: 'diff', positive: src.positive, negative: src.negative } };
  if (src.kind === 'token') return { steer: { ...base, kind: 'token', token: src.text } };
  return { steer: { ...base, kind: 'vector', vector: src.values } };
}

function list(parts: string[]): string {
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}
