// The `patchbay generate` contract: --json prints {prompt_ids, original: {ids, text}, intervened: {ids, text}} with
// the generated tokens only, from --steer or --experiment; errors are one line with a code. (Token-level
// correctness is tested in engine/experiments/generate.test.ts; each CLI call here costs a process start.)
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TESTDATA, fixtureReference } from '../../engine/test-support/fixtures.js';
import { patchbayInProcess as patchbay } from '../test-support.js';

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
    expect(Object.keys(out).sort()).toEqual(['intervened', 'original', 'prompt_ids']);
    expect(out.original).toEqual({ ids: expect.any(Array), text: expect.any(String) });
    expect(out.original.ids).toHaveLength(6);
    expect(out.intervened.ids).toHaveLength(6);
    expect(out.intervened.ids).not.toEqual(out.original.ids);
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

  it('fails with one coded line', async () => {
    const both = await patchbay(['generate', '--model', model, '--prompt', 'x', '--steer', 'L0.block_output:1:token=x', '--experiment', 'x.json']);
    expect(both.stderr).toMatch(/^patchbay: INPUT_INVALID: give --experiment or --steer, not both\n$/);
    const where = await patchbay(['generate', '--model', model, '--prompt', 'x', '--steer', 'L0.block_output:1:token=x', '--intervene-on', 'everywhere']);
    expect(where.stderr).toMatch(/--intervene-on everywhere: expected prompt, generated or both/);
  });
});
