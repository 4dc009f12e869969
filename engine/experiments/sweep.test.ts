// The patching sweep against a second, plain computation: each checked cell as its own single-position experiment
// (no batching), scored by hand from its logits; low/high against the untouched base and clean source runs.
import { beforeAll, describe, expect, it } from 'vitest';
import { openModel } from '../load/open-model.js';
import { bundledIds, nodeResolver } from '../load/node-resolver.js';
import type { LoadedModel } from '../load/load-model.js';
import { validateExperiment } from '../experiment/experiment-schema.js';
import { runExperiment } from '../experiment/run-experiment.js';
import { softmax } from '../experiment/top-k.js';
import { parseSweepDocument, patchingSweep, sweepToJson } from './sweep.js';
import { PatchbayError } from '../errors.js';

const BASE = 'The Eiffel Tower is located in the city of';
const SOURCE = 'Buckingham Palace is located in the city of';

async function single(model: LoadedModel, layer: number, pos: number) {
  const doc = validateExperiment({
    base: BASE, sources: [SOURCE], options: { full_logits: true }, unit_locations: { 'sources->base': pos },
    config: { representations: [{ layer, component: 'mlp_output', intervention_type: 'VanillaIntervention' }] },
  });
  if (!doc.ok) throw new Error(JSON.stringify(doc.errors));
  return runExperiment(model, doc.value);
}

describe('patchingSweep (pythia-facts)', () => {
  let model: LoadedModel;
  beforeAll(async () => { model = await openModel('pythia-facts', nodeResolver, { bundledIds: bundledIds() }); });

  it('cells, low and high equal single runs (prob and logit_diff), to 1e-5', async () => {
    const progress: number[] = [];
    const prob = await patchingSweep(model, { base: BASE, source: SOURCE, component: 'mlp_output', metric: 'prob' }, { onProgress: (p) => progress.push(p.done / p.total) });
    const diff = await patchingSweep(model, { base: BASE, source: SOURCE, component: 'mlp_output', metric: 'logit_diff', answer: prob.answer.text });
    expect(prob.values).toHaveLength(prob.tokens.length);
    expect(prob.values[0]).toHaveLength(model.info.dims.nLayers);
    expect(progress.at(-1)).toBe(1);
    expect(diff.answer.id).toBe(prob.answer.id);
    for (const [layer, pos] of [[0, 1], [3, prob.tokens.length - 1], [5, 2]] as const) {
      const r = await single(model, layer, pos);
      const logits = r.intervened.logits!;
      expect(Math.abs(prob.values[pos]![layer]! - softmax(logits)[prob.answer.id]!)).toBeLessThan(1e-5);
      expect(Math.abs(diff.values[pos]![layer]! - (logits[prob.answer.id]! - logits[prob.baseAnswer.id]!))).toBeLessThan(1e-5);
      expect(Math.abs(prob.low - softmax(r.original.logits!)[prob.answer.id]!)).toBeLessThan(1e-5);
    }
    // The clean source's top-1 is the default answer, and its probability the high score.
    const cleanDoc = validateExperiment({ base: SOURCE, unit_locations: { base: 0 },
      config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'CollectIntervention' }] }, options: { full_logits: true } });
    if (!cleanDoc.ok) throw new Error(JSON.stringify(cleanDoc.errors));
    const clean = await runExperiment(model, cleanDoc.value);
    const p = softmax(clean.original.logits!);
    expect(p.indexOf(Math.max(...p))).toBe(prob.answer.id);
    expect(Math.abs(prob.high - p[prob.answer.id]!)).toBeLessThan(1e-6);
    expect(sweepToJson(prob)).toMatchObject({ low_score: prob.low, high_score: prob.high, base_answer: prob.baseAnswer, values: prob.values });
  });

  it('refuses prompts of different token lengths and bad documents, with coded errors', async () => {
    await expect(patchingSweep(model, { base: BASE, source: 'Paris', component: 'block_output', metric: 'prob' })).rejects.toThrow(/equal token length/);
    expect(() => parseSweepDocument({ kind: 'sweep', base: 'a', source: 'b', metric: 'kl' })).toThrow(PatchbayError);
    expect(parseSweepDocument({ kind: 'sweep', base: 'a', source: 'b' })).toEqual({ kind: 'sweep', base: 'a', source: 'b', component: 'block_output', metric: 'prob' });
  });
});
