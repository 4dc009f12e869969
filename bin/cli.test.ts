// The CLI contract: `patchbay run` prints original/intervened top-k (and full logits on request), `patchbay models`
// lists bundled models, and errors exit non-zero with one line on stderr.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledIds } from '../engine/load/node-resolver.js';
import { TESTDATA, fixtureReference, maxAbsDiff } from '../engine/test-support/fixtures.js';
import { patchbay } from './test-support.js';

describe('patchbay run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-cli-'));
  const model = join(TESTDATA, 'generated/tiny-gpt2/model.onnx');
  const ref = fixtureReference('tiny-gpt2');

  it('prints original and intervened predictions, full logits on request, and writes --out', async () => {
    const doc = {
      model,
      base: { input_ids: ref.input_ids[0] },
      config: { representations: [{ layer: 0, component: 'head_attention_value_output', unit: 'h', intervention_type: 'ZeroIntervention' }] },
      unit_locations: { base: 2 },
    };
    const file = join(dir, 'exp.json');
    writeFileSync(file, JSON.stringify(doc));
    const r = await patchbay(['run', file, '--full-logits', '--out', join(dir, 'out.json')]);
    expect(r.code).toBe(0);
    const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    expect(out.original.top_k).toHaveLength(10);
    expect(out.original.top_k[0]).toEqual({ id: expect.any(Number), token: null, prob: expect.any(Number), logit: expect.any(Number) });
    expect(out.intervened.logits).toHaveLength(1000);
    const want = ref.interventions.zero_head.logits[0]!.at(-1)!;
    expect(maxAbsDiff(out.intervened.logits, want)).toBeLessThan(1e-4);
    expect(out.collected).toEqual([]);
  });

  it('fails with one clear line and a non-zero exit', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ model, base: { input_ids: [1] }, config: { representations: [{ layer: 7, component: 'block_output' }] }, unit_locations: { base: 0 } }));
    const r = await patchbay(['run', bad]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^patchbay: LAYER_OUT_OF_RANGE: .*layer 7 requested; the model has 2 layers/);
    const missing = await patchbay(['run', join(dir, 'nope.json')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/cannot read/);
  });
});

describe('patchbay models', () => {
  it('lists every bundled model', async () => {
    const r = await patchbay(['models', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((m: { id: string }) => m.id)).toEqual(bundledIds());
  });
});

describe('patchbay pyvene', () => {
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-pyvene-'));
  const model = join(TESTDATA, 'generated/tiny-gpt2/model.onnx');

  it('exports, imports and scripts; side files feed rotation parameters', async () => {
    // An identity rotation in a side file: exchanging every rotated coordinate is a plain interchange.
    const eye = new Float32Array(64 * 64);
    for (let i = 0; i < 64; i++) eye[i * 64 + i] = 1;
    writeFileSync(join(dir, 'eye.f32'), Buffer.from(eye.buffer));
    const rotated = {
      model, base: { input_ids: [11, 450, 7, 999] }, sources: [{ input_ids: [3, 14, 15, 92] }],
      config: { representations: [{ layer: 1, component: 'block_output', intervention_type: 'RotatedSpaceIntervention', params: { rotation: { file: 'eye.f32', shape: [64, 64] } } }] },
      unit_locations: { 'sources->base': 3 }, options: { full_logits: true },
    };
    writeFileSync(join(dir, 'rotated.json'), JSON.stringify(rotated));
    const vanilla = { ...rotated, config: { representations: [{ layer: 1, component: 'block_output' }] } };
    writeFileSync(join(dir, 'vanilla.json'), JSON.stringify(vanilla));
    const a = JSON.parse((await patchbay(['run', join(dir, 'rotated.json')])).stdout);
    const b = JSON.parse((await patchbay(['run', join(dir, 'vanilla.json')])).stdout);
    expect(maxAbsDiff(a.intervened.logits, b.intervened.logits)).toBeLessThan(1e-5);

    const exported = await patchbay(['pyvene', 'export', join(dir, 'vanilla.json'), '--out', join(dir, 'config.json')]);
    expect(exported.code).toBe(0);
    const imported = await patchbay(['pyvene', 'import', join(dir, 'config.json'), '--experiment', join(dir, 'rotated.json')]);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout).config.representations[0].intervention_type).toBe('VanillaIntervention');
    const script = await patchbay(['pyvene', 'script', join(dir, 'vanilla.json'), '--hf-model', 'gpt2']);
    expect(script.stdout).toContain('MODEL = "gpt2"');
  });
});
