// Generation presets from a bundled manifest become Generate settings: the vector, and where/how long if given.
import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../../link/schema';
import { ExperimentSchema } from '../../link/schema';
import { generationPreset, presetSettings } from './presets';

describe('generation presets', () => {
  const p = { name: 'happy vs sad', prompt: 'Mia walked home and', positive: 'She was happy', negative: 'She was sad', layer: 3, coefficient: 4 };

  it('set the prompt, the difference of means at the layer, and keep the rest unless the preset says', () => {
    const g = defaultExperiment().generate;
    const s = presetSettings({ ...g, intervene_on: 'prompt', max_new_tokens: 5 }, p);
    expect(s).toMatchObject({ prompt: p.prompt, use: 'steer', intervene_on: 'prompt', max_new_tokens: 5,
      steer: { kind: 'diff', positive: ['She was happy'], negative: ['She was sad'], layers: [3], component: 'block_output', coefficient: 4 } });
    expect(presetSettings(g, { ...p, intervene_on: 'both', max_new_tokens: 999 })).toMatchObject({ intervene_on: 'both', max_new_tokens: 256 });
  });

  it('open the Generate view with a valid experiment', () => {
    const e = generationPreset(defaultExperiment(), { ...p, intervene_on: 'generated', max_new_tokens: 16 });
    expect(e.view).toBe('generate');
    expect(ExperimentSchema.safeParse(e).success).toBe(true);
  });
});
