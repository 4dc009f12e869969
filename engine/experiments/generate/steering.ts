// Steering vectors and the experiment that adds them: a vector from a token's embedding, from the difference of
// mean activations between two prompt sets (each prompt's last token), or given explicitly, times a coefficient,
// added at chosen sites at every prompt position (AdditionIntervention with a constant source). Stage: plan.
import { PatchbayError, throwIfAborted } from '../../errors.js';
import type { LoadedModel } from '../../load/load-model.js';
import { COMPONENT_INFO, isComponent, type Component } from '../../sites/components.js';
import { siteId } from '../../sites/site-id.js';
import { forward } from '../../run/forward.js';
import type { ExperimentDoc, ExperimentInput } from '../../experiment/experiment-schema.js';
import { validateExperiment } from '../../experiment/experiment-schema.js';
import { tokenize } from '../../experiment/plan.js';
import { graphCache } from '../../compile/graph-cache.js';

export type SteerSource =
  | { kind: 'token'; text: string }
  | { kind: 'diff'; positive: string[]; negative: string[] }
  | { kind: 'vector'; values: number[] }
  /** Column `column` of a saved trained intervention's rotation (JSON path); resolveTrainedSteer reads it into a
   *  `vector` source first (generate/trained-steer.ts). */
  | { kind: 'trained'; file: string; column: number };

export interface SteerSpec {
  layers: number[];
  component: Component;
  coefficient: number;
  source: SteerSource;
}

/** The unscaled steering vector for each of the spec's layers (one vector per layer, in the component's features). */
export async function steeringVectors(model: LoadedModel, spec: SteerSpec, signal?: AbortSignal): Promise<Float32Array[]> {
  checkSpec(model, spec);
  const features = COMPONENT_INFO[spec.component].featureSize(model.info.dims);
  const s = spec.source;
  if (s.kind === 'trained') {
    throw new PatchbayError('CONFIG_UNSUPPORTED', `the trained intervention ${s.file} has not been read: resolve it with resolveTrainedSteer first`, 'steer.trained');
  }
  if (s.kind === 'vector') {
    if (s.values.length !== features) {
      throw new PatchbayError('SHAPE_MISMATCH', `the steering vector has ${s.values.length} values; ${spec.component} has ${features} features`, 'steer.vector');
    }
    return spec.layers.map(() => Float32Array.from(s.values));
  }
  if (s.kind === 'token') {
    if (features !== model.info.dims.dModel) {
      throw new PatchbayError('SHAPE_MISMATCH', `a token embedding has ${model.info.dims.dModel} features; ${spec.component} has ${features}: steer a residual-width component`, 'steer.token');
    }
    const ids = tokenize(model, s.text, 'steer.token');
    if (ids.length !== 1) throw new PatchbayError('INPUT_INVALID', `"${s.text}" is ${ids.length} tokens (${ids.join(', ')}); a token embedding needs exactly one`, 'steer.token');
    const site = siteId({ layer: 0, component: 'token_embedding' });
    const graph = await graphCache(model).get([{ site: { layer: 0, component: 'token_embedding' }, kind: 'collect' }]);
    const out = await forward(model, graph, { ids: [ids], collect: [site], logits: 'none', signal });
    return spec.layers.map(() => out.collected[site]!.data.slice(0, features));
  }
  if (s.positive.length === 0 || s.negative.length === 0) throw new PatchbayError('INPUT_INVALID', 'a difference of means needs at least one positive and one negative prompt', 'steer.diff');
  const pos = await meanLastToken(model, spec, s.positive, signal);
  const neg = await meanLastToken(model, spec, s.negative, signal);
  return pos.map((p, l) => p.map((v, i) => v - neg[l]![i]!));
}

/** Per layer, the mean over prompts of the site's value at each prompt's last token. */
async function meanLastToken(model: LoadedModel, spec: SteerSpec, prompts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
  const sites = spec.layers.map((layer) => ({ site: { layer, component: spec.component }, kind: 'collect' as const }));
  const graph = await graphCache(model).get(sites);
  const features = COMPONENT_INFO[spec.component].featureSize(model.info.dims);
  const sums = spec.layers.map(() => new Float32Array(features));
  for (const [i, text] of prompts.entries()) {
    throwIfAborted(signal);
    const ids = tokenize(model, text, `steer.diff[${i}]`);
    const out = await forward(model, graph, { ids: [ids], collect: sites.map((s) => siteId(s.site)), logits: 'none', signal });
    sites.forEach((s, l) => {
      const v = out.collected[siteId(s.site)]!.data;
      const at = (ids.length - 1) * features;
      for (let f = 0; f < features; f++) sums[l]![f]! += v[at + f]! / prompts.length;
    });
  }
  return sums;
}

function checkSpec(model: LoadedModel, spec: SteerSpec): void {
  const n = model.info.dims.nLayers;
  if (!isComponent(spec.component) || COMPONENT_INFO[spec.component].layout !== 'bsd' || spec.component === 'token_embedding') {
    throw new PatchbayError('SITE_UNKNOWN', `cannot steer "${spec.component}": choose a component with one vector per position (block_output, mlp_output, attention_output, …)`, 'steer.component');
  }
  if (spec.layers.length === 0) throw new PatchbayError('INPUT_INVALID', 'no layers to steer', 'steer.layers');
  const bad = spec.layers.find((l) => !Number.isInteger(l) || l < 0 || l >= n);
  if (bad !== undefined) throw new PatchbayError('LAYER_OUT_OF_RANGE', `layer ${bad} requested; the model has ${n} layers (0–${n - 1})`, 'steer.layers');
  if (!Number.isFinite(spec.coefficient)) throw new PatchbayError('INPUT_INVALID', `coefficient ${spec.coefficient} is not a number`, 'steer.coefficient');
}

/** The experiment that adds coefficient × vector at every prompt position of each layer's site. */
export function steeringExperiment(model: LoadedModel, prompt: string, spec: SteerSpec, vectors: Float32Array[]): ExperimentDoc {
  const P = tokenize(model, prompt, 'prompt').length;
  const positions = Array.from({ length: P }, (_, i) => i);
  const doc: ExperimentInput = {
    base: prompt,
    config: {
      representations: spec.layers.map((layer, l) => ({
        layer, component: spec.component, intervention_type: 'AdditionIntervention',
        source_representation: Array.from(vectors[l]!, (v) => v * spec.coefficient),
      })),
    },
    unit_locations: { base: spec.layers.map(() => [positions]) },
  };
  const v = validateExperiment(doc);
  if (!v.ok) throw new PatchbayError('EXPERIMENT_INVALID', `${v.errors[0]!.path}: ${v.errors[0]!.message}`);
  return v.value;
}
