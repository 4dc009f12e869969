// The `patchbay generate` contract: --json prints {prompt_ids, original: {ids, text, tokens}, intervened: {…}} with
// the generated tokens only (tokens: [{id, text, prob}], each prob checked against a separate full forward pass), from
// --steer or --experiment; errors are one line with a code. (Token-level correctness is tested in
// engine/experiments/generate.test.ts.)
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TESTDATA, fixtureReference } from '../../engine/test-support/fixtures.js';
import { bundledIds, nodeResolver } from '../../engine/load/node-resolver.js';
import { openModel } from '../../engine/load/open-model.js';
import { validateExperiment } from '../../engine/experiment/experiment-schema.js';
import { runExperiment } from '../../engine/experiment/run-experiment.js';
import { patchbayInProcess as patchbay } from '../test-support.js';
import { saveTrained } from '../../engine/training/trained-io.js';
import type { TrainedCell } from '../../engine/training/das.js';
import { exportScript } from '../../engine/export/export-script.js';
import { parseResultFile } from '../../engine/io/result-files.js';

interface Cont { ids: number[]; text: string; tokens: { id: number; text: string | null; prob: number }[] }

/** Runs the CLI in this process (bin/cli.test.ts covers the real process entry), capturing stdout and stderr. */

describe('patchbay generate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-generate-'));
  const model = 'gpt2-facts';
  const vector = fixtureReference('tiny-gpt2').interventions.steer_block_out.steer_vector;

  it('--steer prints the JSON contract with generated tokens only', async () => {
    const prompt = 'John opened the letter and felt';
    const steer = await patchbay(['generate', '--model', model, '--prompt', prompt, '--max-new-tokens', '6', '--steer', 'L1.block_output:3:diff=The day was wonderful/The day was terrible', '--json']);
    expect(steer.stderr).toBe('');
    const out = JSON.parse(steer.stdout);
    expect(Object.keys(out).sort()).toEqual(['experiment', 'intervened', 'model', 'original', 'prompt_ids']);
    // the run as a document: what `patchbay export` takes, and what the workbench's import reads its settings from
    expect(out.experiment).toEqual({ kind: 'generate', model, prompt, steer: 'L1.block_output:3:diff=The day was wonderful/The day was terrible',
      max_new_tokens: 6, intervene_on: 'both', stop_at_eos: false });
    expect(exportScript(out.experiment, 'pyvene')).toContain('\\"max_new_tokens\\":6'); // the export takes it as it is
    expect(parseResultFile(out).ok).toBe(true);
    expect(out.original).toEqual({ ids: expect.any(Array), text: expect.any(String), tokens: expect.any(Array) });
    expect(out.original.ids).toHaveLength(6);
    expect(out.intervened.ids).toHaveLength(6);
    expect(out.intervened.ids).not.toEqual(out.original.ids);
  });

  it('--json tokens: one per id, and each greedy prob is the top probability of a separate full forward pass on the same prefix (1e-4)', async () => {
    const D = 128; // gpt2-facts' d_model
    const u = Array.from({ length: D }, (_, i) => Math.fround(Math.sin(i + 1)));
    const prompt = 'John opened the letter and felt';
    const r = await patchbay(['generate', '--model', model, '--prompt', prompt, '--max-new-tokens', '5', '--intervene-on', 'both', '--json',
      '--steer', `L1.block_output:6:vector=${u.join(',')}`]);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { prompt_ids: number[]; original: Cont; intervened: Cont };
    expect(out.intervened.ids).not.toEqual(out.original.ids);
    // The reference: runExperiment (no cache: one pass over the whole prefix) with the vector added at every position,
    // which is what intervene_on "both" means for a steering vector; its original row is the plain model.
    const m = await openModel(model, nodeResolver, { bundledIds: bundledIds() });
    for (const [row, c] of [['original', out.original], ['intervened', out.intervened]] as const) {
      expect(c.tokens.map((t) => t.id)).toEqual(c.ids);
      for (const [i, t] of c.tokens.entries()) {
        expect(t.text).toBe(m.tokenizer!.decode([t.id]));
        expect(t.prob).toBeGreaterThan(0);
        expect(t.prob).toBeLessThanOrEqual(1);
        const prefix = [...out.prompt_ids, ...c.ids.slice(0, i)];
        const v = validateExperiment({
          base: { input_ids: prefix },
          config: { representations: [{ layer: 1, component: 'block_output', intervention_type: 'AdditionIntervention', source_representation: u.map((x) => 6 * x) }] },
          unit_locations: { base: [[prefix.map((_, p) => p)]] },
        });
        if (!v.ok) throw new Error(JSON.stringify(v.errors));
        const top = (await runExperiment(m, v.value))[row].top_k[0]!;
        expect(top.id).toBe(t.id);
        expect(Math.abs(top.prob - t.prob)).toBeLessThan(1e-4);
      }
    }
  });

  it('--experiment applies the document\'s interventions (ids-only model: empty texts)', async () => {
    const tiny = join(TESTDATA, 'generated/tiny-gpt2/model.onnx');
    const exp = join(dir, 'steer.json');
    writeFileSync(exp, JSON.stringify({
      model: tiny, base: { input_ids: [11, 450, 7, 999] },
      config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'AdditionIntervention', source_representation: vector.map((v) => 40 * v) }] },
      unit_locations: { base: [[[0, 1, 2, 3]]] },
    }));
    const r = await patchbay(['generate', '--experiment', exp, '--max-new-tokens', '5', '--intervene-on', 'both', '--temperature', '0.8', '--seed', '3', '--json']);
    expect(r.stderr).toBe('');
    const a = JSON.parse(r.stdout);
    expect(a.prompt_ids).toEqual([11, 450, 7, 999]);
    expect(a.intervened.ids).toHaveLength(5);
    expect(a.intervened.ids).not.toEqual(a.original.ids);
    expect(a.original.text).toBe('');
  });

  it('--steer trained=: a saved trained intervention\'s direction steers exactly as the same vector given explicitly', async () => {
    const D = 128; // gpt2-facts' d_model
    const u = Array.from({ length: D }, (_, i) => Math.fround(Math.sin(i + 1)));
    const weight = Float32Array.from(u.flatMap((v, i) => [v, i % 2]));
    const { json, bytes } = saveTrained({ layer: 1, position: -1, component: 'block_output', type: 'LowRankRotatedSpaceIntervention', rank: 2, weight, weightCols: 2, params: {}, losses: [], iia: 0 } as unknown as TrainedCell, 'L1.f32');
    writeFileSync(join(dir, 'L1.json'), JSON.stringify(json));
    writeFileSync(join(dir, 'L1.f32'), bytes);
    const norm = Math.hypot(...u);
    const args = ['generate', '--model', model, '--prompt', 'John opened the letter and felt', '--max-new-tokens', '5', '--json', '--steer'];
    const trained = await patchbay([...args, `L1.block_output:60:trained=${join(dir, 'L1.json')}`]);
    const explicit = await patchbay([...args, `L1.block_output:60:vector=${u.map((v) => v / norm).join(',')}`]);
    expect(trained.stderr).toBe('');
    expect(JSON.parse(trained.stdout).intervened.ids).toEqual(JSON.parse(explicit.stdout).intervened.ids);
    expect(JSON.parse(trained.stdout).intervened.ids).not.toEqual(JSON.parse(trained.stdout).original.ids);
    const wrong = await patchbay([...args, `L1.mlp_output:60:trained=${join(dir, 'L1.json')}`]);
    expect(wrong.stderr).toMatch(/^patchbay: INPUT_INVALID: .*trained at block_output \(layer 1\)/);
  });

  it('fails with one coded line', async () => {
    const both = await patchbay(['generate', '--model', model, '--prompt', 'x', '--steer', 'L0.block_output:1:token=x', '--experiment', 'x.json']);
    expect(both.stderr).toMatch(/^patchbay: INPUT_INVALID: give --experiment or --steer, not both\n$/);
    const where = await patchbay(['generate', '--model', model, '--prompt', 'x', '--steer', 'L0.block_output:1:token=x', '--intervene-on', 'everywhere']);
    expect(where.stderr).toMatch(/--intervene-on everywhere: expected prompt, generated or both/);
  });
});
