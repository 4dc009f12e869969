// The bundled models (public/models) through the real loading path: their ONNX logits match the PyTorch values in
// reference.json within 1e-4 for every suggested prompt, the tokenizer reproduces the reference ids, and the presets
// the UI offers are well formed. The GRU model is a later capability: opening it gives a clear error.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_DIR, bundledIds, nodeResolver } from './load/node-resolver.js';
import { openModel } from './load/open-model.js';
import { forward } from './run/forward.js';
import { configureRuntime } from './runtime/ort-runtime.js';
import { maxAbsDiff } from './test-support/fixtures.js';
import { graphCache } from './compile/graph-cache.js';

interface Reference {
  prompts: { text: string; input_ids: number[]; last_logits: number[] }[];
  full: { input_ids: number[][]; logits: number[][][] };
}
interface Manifest { family: string; presets: { traces: { prompt: string; subject: string; answer: string }[] } }

configureRuntime({ provider: 'wasm', numThreads: 1 });
const read = <T>(id: string, file: string) => JSON.parse(readFileSync(join(BUNDLED_DIR, id, file), 'utf8')) as T;
const language = bundledIds().filter((id) => read<Manifest>(id, 'patchbay.json').family !== 'gru');

describe('bundled models', () => {
  it('include a GPT-2 and a Pythia model', () => {
    expect(language.map((id) => read<Manifest>(id, 'patchbay.json').family).sort()).toEqual(['gpt2', 'gpt_neox']);
  });

  it.each(language)('%s matches its PyTorch reference (1e-4) and knows its facts', async (id) => {
    const model = await openModel(id, nodeResolver, { bundledIds: bundledIds() });
    const ref = read<Reference>(id, 'reference.json');
    const graph = await graphCache(model).get([]);
    const full = await forward(model, graph, { ids: ref.full.input_ids, logits: 'all' });
    expect(maxAbsDiff(full.logits!.data, ref.full.logits.flat(2))).toBeLessThan(1e-4);
    for (const p of ref.prompts) {
      expect(model.tokenizer!.encode(p.text)).toEqual(p.input_ids);
      const out = await forward(model, graph, { ids: [p.input_ids], logits: 'last' });
      expect(maxAbsDiff(out.logits!.data, p.last_logits), p.text).toBeLessThan(1e-4);
    }
    const manifest = read<Manifest>(id, 'patchbay.json');
    expect(manifest.presets.traces.length).toBeGreaterThanOrEqual(10);
    let correct = 0;
    for (const t of manifest.presets.traces) {
      expect(t.prompt).toContain(t.subject);
      const out = await forward(model, graph, { ids: [model.tokenizer!.encode(t.prompt)], logits: 'last' });
      const top = out.logits!.data.indexOf(Math.max(...out.logits!.data));
      if (model.tokenizer!.decode([top]) === t.answer) correct++;
    }
    expect(correct / manifest.presets.traces.length).toBeGreaterThanOrEqual(0.95);
  });

  it('a GRU model is named as not supported yet, not loaded wrongly', async () => {
    const gru = bundledIds().filter((id) => read<Manifest>(id, 'patchbay.json').family === 'gru');
    for (const id of gru) await expect(openModel(id, nodeResolver, { bundledIds: bundledIds() })).rejects.toThrow(/model_type|GPT-2|gpt_neox/);
  });
});
