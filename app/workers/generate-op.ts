// Generation as the worker runs it: the Generate view's settings (the experiment slice's `generate`, plus the
// Interventions screen's document when it is the one used) → the engine's generate(). Steering vectors are kept per
// model and spec, so moving the coefficient slider only regenerates. Stage: experiments (adapter only).
import type { LoadedModel } from '../../engine/load/load-model';
import { PatchbayError } from '../../engine/errors';
import { validateExperiment, type ExperimentDoc } from '../../engine/experiment/experiment-schema';
import { endOfText, generate, type GenerateProgress, type GenerateResult } from '../../engine/experiments/generate';
import { steeringExperiment, steeringVectors, type SteerSpec } from '../../engine/experiments/generate/steering';
import { isComponent } from '../../engine/sites/components';
import type { GenerateSettings } from '../link/schema';

export type { GenerateProgress, GenerateResult };

export interface GenerateInput {
  settings: GenerateSettings;
  /** The Interventions screen's document (used when settings.use is 'intervention'). */
  intervention?: Record<string, unknown>;
}

/** Steering vectors per model, by spec without its coefficient. */
const vectorCache = new WeakMap<LoadedModel, Map<string, Float32Array[]>>();

export function steerSpec(s: GenerateSettings['steer']): SteerSpec {
  if (!isComponent(s.component)) throw new PatchbayError('SITE_UNKNOWN', `unknown component "${s.component}"`, 'generate.steer.component');
  const source: SteerSpec['source'] = s.kind === 'diff' ? { kind: 'diff', positive: s.positive.filter((p) => p.trim()), negative: s.negative.filter((p) => p.trim()) }
    : s.kind === 'token' ? { kind: 'token', text: s.token } : { kind: 'vector', values: s.vector };
  return { layers: s.layers, component: s.component, coefficient: s.coefficient, source };
}

async function vectorsFor(model: LoadedModel, spec: SteerSpec, signal: AbortSignal): Promise<Float32Array[]> {
  const key = JSON.stringify({ ...spec, coefficient: 0 });
  let byKey = vectorCache.get(model);
  if (!byKey) vectorCache.set(model, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) return hit;
  const v = await steeringVectors(model, spec, signal);
  byKey.set(key, v);
  return v;
}

async function documentFor(model: LoadedModel, input: GenerateInput, signal: AbortSignal): Promise<ExperimentDoc> {
  const g = input.settings;
  if (!g.prompt.trim()) throw new PatchbayError('INPUT_INVALID', 'the prompt is empty', 'generate.prompt');
  if (g.use === 'steer') {
    const spec = steerSpec(g.steer);
    return steeringExperiment(model, g.prompt, spec, await vectorsFor(model, spec, signal));
  }
  const parsed = validateExperiment({ ...(input.intervention ?? {}), base: g.prompt });
  if (!parsed.ok) {
    const first = parsed.errors[0]!;
    throw new PatchbayError('EXPERIMENT_INVALID', `the Interventions screen's document: ${first.message}`, first.path);
  }
  return parsed.value;
}

export async function runGenerate(model: LoadedModel, input: GenerateInput, io: { onProgress: (p: GenerateProgress) => void; signal: AbortSignal }): Promise<GenerateResult> {
  const g = input.settings;
  const doc = await documentFor(model, input, io.signal);
  const eos = endOfText(model);
  return generate(model, doc, {
    maxNewTokens: g.max_new_tokens, interveneOn: g.intervene_on, temperature: g.temperature, topK: g.top_k, topP: g.top_p, seed: g.seed,
    stopTokens: g.stop_at_eos && eos !== undefined ? [eos] : [],
  }, io);
}
