// A bundled model's steering presets (patchbay.json: `generation`, and the next-token `steering` ones) as Generate
// view settings: the prompt, the difference-of-means vector at the preset's layer, and, where the preset says,
// where it applies and how many tokens to write. Pure.
import type { Experiment, GenerateSettings } from '../../link/schema';
import type { GenerationPreset } from '../../state/catalog';

export function presetSettings(g: GenerateSettings, p: GenerationPreset): GenerateSettings {
  return {
    ...g,
    prompt: p.prompt, use: 'steer',
    steer: { ...g.steer, kind: 'diff', positive: [p.positive], negative: [p.negative], layers: [p.layer], component: 'block_output', coefficient: p.coefficient },
    ...(p.intervene_on ? { intervene_on: p.intervene_on } : {}),
    ...(p.max_new_tokens ? { max_new_tokens: Math.min(256, Math.max(1, Math.round(p.max_new_tokens))) } : {}),
  };
}

/** The experiment on the Generate view with the preset's settings (the Classroom opens it and runs it). */
export function generationPreset(e: Experiment, p: GenerationPreset): Experiment {
  return { ...e, view: 'generate', generate: presetSettings(e.generate, p) };
}
