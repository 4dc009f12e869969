// The bundled models' patching presets do what their notes say: the experiment the Classroom builds from each one
// (patchingPreset, with the model's own tokenizer) gives, run by the engine in Node, the probability of the answer
// the note quotes for that layer (PyTorch, at the last subject token). Catches presets whose site lands on the wrong
// token (e.g. two subjects that end in the same token, where "the last position they differ" is the first name).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { patchingPreset } from './presets';
import { defaultExperiment } from '../../link/schema';
import type { PatchingPreset } from '../../state/catalog';
import { BUNDLED_DIR, nodeOpenOptions, nodeResolver } from '../../../engine/load/node-resolver';
import { openModel } from '../../../engine/load/open-model';
import { ExperimentSchema } from '../../../engine/experiment/experiment-schema';
import { runExperiment } from '../../../engine/experiment/run-experiment';
import { configureRuntime } from '../../../engine/runtime/ort-runtime';

configureRuntime({ provider: 'wasm', numThreads: 1 });

const MODELS = ['gpt2-facts', 'pythia-facts'];
const cases = MODELS.flatMap((id) => {
  const manifest = JSON.parse(readFileSync(join(BUNDLED_DIR, id, 'patchbay.json'), 'utf8')) as { presets: { patching: PatchingPreset[] } };
  return manifest.presets.patching.map((p) => ({ id, name: p.name, p }));
});

describe('bundled patching presets', () => {
  it.each(cases)('$id: $name reproduces its note', async ({ id, p }) => {
    const quoted = /by layer = \[([^\]]+)\]/.exec(p.note ?? '');
    expect(quoted, 'the note quotes p(answer) by layer').not.toBeNull();
    const want = quoted![1]!.split(',').map(Number)[p.layer ?? 0]!;
    const model = await openModel(id, nodeResolver, nodeOpenOptions());
    const tokenize = async (text: string) => model.tokenizer!.encode(text);
    const built = await patchingPreset(defaultExperiment(), p, tokenize);
    const doc = ExperimentSchema.parse({ ...built.intervention, model: id, options: { full_logits: true } });
    const result = await runExperiment(model, doc);
    const logits = result.intervened.logits!;
    const answer = model.tokenizer!.encode(p.answer);
    expect(answer).toHaveLength(1);
    const max = Math.max(...logits);
    const total = logits.reduce((a, x) => a + Math.exp(x - max), 0);
    expect(Math.exp(logits[answer[0]!]! - max) / total).toBeCloseTo(want, 1);
  });
});
