// "Export as Python" from the app: each screen's experiment becomes the engine exporter's document, the script
// carries it, and what the engine refuses comes back as a "not exportable yet" message instead of a file.
import { describe, expect, it } from 'vitest';
import { defaultExperiment, type Experiment } from '../../link/schema';
import { exportDocument, exportFor } from './export-doc';

function experiment(p: Partial<Experiment> = {}): Experiment {
  return { ...defaultExperiment(), model: { kind: 'bundled', id: 'gpt2-facts' }, ...p };
}

describe('exportFor', () => {
  it('the Interventions document as a pyvene script, with the bundled weights step and the command line', () => {
    const o = exportFor('run', experiment(), 'pyvene');
    if (!o.ok) throw new Error(o.message);
    expect(o.script).toContain('pv.RepresentationConfig(layer=0, component="block_output", unit="pos", max_number_of_units=1, intervention_type=pv.VanillaIntervention');
    expect(o.script).toContain('unit_locations = {"sources->base": ([[[6]]], [[[6]]])}');
    expect(o.script).toContain('"provenance": provenance(PYVENE_VERSION)');
    expect(o.filename).toBe('experiment-pyvene.py');
    expect(o.weights).toBe('python tools/scaleout/onnx_to_torch.py public/models/gpt2-facts gpt2-facts-torch');
    expect(o.command).toBe('python experiment-pyvene.py --model gpt2-facts-torch --out result.json');
  });

  it('a hub model maps to its PyTorch original; nnsight mentions NDIF', () => {
    const plain = { ...defaultExperiment().intervention, config: { representations: [{ layer: 1, component: 'block_output', intervention_type: 'VanillaIntervention' }] } };
    const o = exportFor('run', experiment({ model: { kind: 'hub', repo: 'Xenova/gpt2', variant: 'fp32', endpoint: null }, intervention: plain }), 'nnsight');
    if (!o.ok) throw new Error(o.message);
    expect(o.script).toContain('MODEL = "openai-community/gpt2"');
    expect(o.script).toContain('lm.trace(');
    expect(o.weights).toBeNull();
    expect(o.command).toBe('python experiment-nnsight.py --model openai-community/gpt2 --out result.json');
    expect(o.remote).toBe(true);
  });

  it('the Sweep screen exports a sweep document for both engines', () => {
    const e = experiment({ sweep: { ...defaultExperiment().sweep, component: 'mlp_output', metric: 'logit_diff', answer: ' Paris' } });
    expect(exportDocument('sweep', e)).toEqual({
      kind: 'sweep', model: 'gpt2-facts', base: e.sweep.base, source: e.sweep.source, component: 'mlp_output', metric: 'logit_diff', answer: ' Paris',
    });
    for (const target of ['pyvene', 'nnsight'] as const) {
      const o = exportFor('sweep', e, target);
      if (!o.ok) throw new Error(o.message);
      expect(o.script).toContain('write(sweep_result(values,');
      expect(o.filename).toBe(`sweep-${target}.py`);
    }
  });

  it('what the engine refuses is a message, never a file', () => {
    const refused = experiment({
      intervention: { ...defaultExperiment().intervention, config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'NoiseIntervention' }] } },
    });
    const o = exportFor('run', refused, 'nnsight');
    expect(o.ok).toBe(false);
    if (!o.ok) expect(o.message).toMatch(/^not exportable yet: .*NoiseIntervention/);
    const broken = exportFor('run', experiment({ intervention: { base: 3 } }), 'pyvene');
    expect(broken.ok).toBe(false);
  });

  it('a trace document for both engines', () => {
    const e = experiment();
    expect(exportDocument('trace', e)).toEqual({
      kind: 'trace', model: 'gpt2-facts', prompt: e.trace.prompt, subject: 'Eiffel Tower', samples: 10, noise: 's3', window: 10, kinds: ['resid', 'mlp', 'attn'], seed: 1,
    });
    for (const target of ['pyvene', 'nnsight'] as const) {
      const o = exportFor('trace', e, target);
      if (!o.ok) throw new Error(o.message);
      expect(o.script).toContain('Eiffel Tower');
      expect(o.filename).toBe(`trace-${target}.py`);
    }
  });

  it('a trace by token replacement: the prompt with the subject replaced as replace_with, no noise; no replacement is a message', () => {
    const e = experiment();
    const replaced = experiment({ trace: { ...e.trace, corruption: 'replace', replacement: 'Great Pyramid', answer: ' Paris' } });
    expect(exportDocument('trace', replaced)).toEqual({
      kind: 'trace', model: 'gpt2-facts', prompt: 'The Eiffel Tower is located in the city of', subject: 'Eiffel Tower', answer: ' Paris',
      window: 10, kinds: ['resid', 'mlp', 'attn'], replace_with: 'The Great Pyramid is located in the city of',
    });
    for (const target of ['pyvene', 'nnsight'] as const) {
      const o = exportFor('trace', replaced, target);
      if (!o.ok) throw new Error(o.message);
      expect(o.script).toContain('CORRUPT = replacement_ids()');
      expect(o.script).not.toContain('class PatchbayRng:');
      expect(o.filename).toBe(`trace-${target}.py`);
    }
    const empty = exportFor('trace', experiment({ trace: { ...e.trace, corruption: 'replace', replacement: '  ' } }), 'nnsight');
    expect(!empty.ok && empty.message).toMatch(/^token replacement needs a replacement for the subject/);
    const missing = exportFor('trace', experiment({ trace: { ...e.trace, corruption: 'replace', subject: 'Louvre', replacement: 'Great Pyramid' } }), 'pyvene');
    expect(!missing.ok && missing.message).toMatch(/^the subject "Louvre" does not occur in the prompt/);
  });

  it('the Generate screen\'s steering as a generation document; sampling is refused', () => {
    const e = experiment();
    expect(exportDocument('generate', e)).toEqual({
      kind: 'generate', model: 'gpt2-facts', prompt: e.generate.prompt,
      steer: { layers: [0], component: 'block_output', coefficient: 1, positive: ['The day was wonderful'], negative: ['The day was terrible'] },
      max_new_tokens: 24, intervene_on: 'both', stop_at_eos: true,
    });
    const o = exportFor('generate', e, 'pyvene');
    if (!o.ok) throw new Error(o.message);
    expect(o.script).toContain('John opened the letter and felt');
    const sampled = exportFor('generate', experiment({ generate: { ...e.generate, temperature: 0.8 } }), 'pyvene');
    expect(!sampled.ok && sampled.message).toMatch(/^not exportable yet: CONFIG_UNSUPPORTED: temperature: the export decodes greedily/);
  });

  it('generation with the Interventions document: the document as "experiment", the prompt replacing its base; what the export cannot reproduce is a message', () => {
    const e = experiment({ generate: { ...defaultExperiment().generate, use: 'intervention', intervene_on: 'generated' } });
    expect(exportDocument('generate', e)).toEqual({
      kind: 'generate', model: 'gpt2-facts', prompt: e.generate.prompt, experiment: e.intervention, max_new_tokens: 24, intervene_on: 'generated', stop_at_eos: true,
    });
    for (const target of ['pyvene', 'nnsight'] as const) {
      const o = exportFor('generate', e, target);
      if (!o.ok) throw new Error(o.message);
      expect(o.script).toContain('def pass_locations(length):');
      expect(o.script).toContain(`base = on_device(tokenizer(${JSON.stringify(e.generate.prompt)}, return_tensors="pt"))`);
      expect(o.filename).toBe(`generate-${target}.py`);
    }
    const noisy = experiment({
      generate: e.generate,
      intervention: { ...e.intervention, config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'NoiseIntervention' }] } },
    });
    const refused = exportFor('generate', noisy, 'pyvene');
    expect(!refused.ok && refused.message).toMatch(/^not exportable yet: CONFIG_UNSUPPORTED: experiment\.config\.representations\[0\]\.intervention_type: .*NoiseIntervention/);
  });
});
