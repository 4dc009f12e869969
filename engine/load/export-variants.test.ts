// Exports made the ways people make them (TorchScript eager / SDPA / ids-only / float16 / wrapped, the dynamo
// exporter, onnxruntime's optimizer; ../shared/testdata/export-variants and the extra configurations in
// engine/test-data/export-variants) load, find every site structurally, and match PyTorch's own values:
// last-position logits and the block, MLP and attention outputs at the listed layers and positions.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openModel } from './open-model.js';
import { nodeResolver, REPO_ROOT } from './node-resolver.js';
import { forward } from '../run/forward.js';
import { graphCache } from '../compile/graph-cache.js';
import { siteId } from '../sites/site-id.js';
import { configureRuntime } from '../runtime/ort-runtime.js';
import type { SlotSpec } from '../compile/instrument.js';
import type { Component } from '../sites/components.js';
import { ExperimentSchema } from '../experiment/experiment-schema.js';
import { runExperiment } from '../experiment/run-experiment.js';
import { maxAbsDiff } from '../test-support/fixtures.js';

interface Expect {
  input_ids: number[];
  logits_last: number[];
  block_output: Record<string, Record<string, number[]>>;
  mlp_output: Record<string, Record<string, number[]>>;
  attention_output: Record<string, Record<string, number[]>>;
}

const ROOTS = [join(REPO_ROOT, '../shared/testdata/export-variants/generated'), join(REPO_ROOT, 'engine/test-data/export-variants')];
const VARIANTS = ROOTS.filter(existsSync).flatMap((root) => readdirSync(root).sort().map((v) => ({ name: `${root.includes('shared') ? '' : 'extra/'}${v}`, dir: join(root, v) })));
const KINDS = ['block_output', 'mlp_output', 'attention_output'] as const satisfies readonly Component[];

configureRuntime({ provider: 'wasm', numThreads: 1 });

describe('export variants', () => {
  it('finds the variants', () => expect(VARIANTS.length).toBe(27));

  it.each(VARIANTS)('$name loads, has every site, and matches PyTorch', async ({ dir }) => {
    const want = JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8')) as Expect;
    const model = await openModel(dir, nodeResolver);
    expect(model.info.unavailableSites).toEqual({});
    const half = model.info.graph.activationType === 'float16';
    const tol = half ? 2e-2 : 1e-4;
    const layers = Object.keys(want.block_output).map(Number);
    const specs: SlotSpec[] = layers.flatMap((layer) => KINDS.map((component) => ({ site: { layer, component }, kind: 'collect' as const })));
    const out = await forward(model, await graphCache(model).get(specs), { ids: [want.input_ids], collect: specs.map((s) => siteId(s.site)), logits: 'last' });
    expect(maxDiff(out.logits!.data, want.logits_last)).toBeLessThan(tol);
    const d = model.info.dims.dModel;
    for (const kind of KINDS) {
      for (const layer of layers) {
        const got = out.collected[siteId({ layer, component: kind })]!;
        for (const [pos, values] of Object.entries(want[kind][String(layer)]!)) {
          const p = Number(pos);
          expect(maxDiff(got.data.subarray(p * d, (p + 1) * d), values), `${kind} L${layer} pos ${p}`).toBeLessThan(tol);
        }
      }
    }
  });
});

describe('an export with fixed shapes (dynamo, batch 1 × 9 tokens)', () => {
  const shared = join(REPO_ROOT, '../shared/testdata/export-variants/generated');
  it('runs a batched experiment row by row, as the dynamic TorchScript export of the same weights does batched', async () => {
    const want = JSON.parse(readFileSync(join(shared, 'gpt2-dynamo/expect.json'), 'utf8')) as Expect;
    const doc = ExperimentSchema.parse({
      base: { input_ids: want.input_ids }, sources: [{ input_ids: [...want.input_ids].reverse() }],
      config: { representations: [{ layer: 1, component: 'block_output', intervention_type: 'VanillaIntervention' }, { layer: 0, component: 'head_attention_value_output', unit: 'h', intervention_type: 'ZeroIntervention' }] },
      unit_locations: { 'sources->base': [[[[4]], [[1]]], [[[4]], [[1]]]] }, options: { full_logits: true },
    });
    const fixed = await runExperiment(await openModel(join(shared, 'gpt2-dynamo'), nodeResolver), doc);
    const dynamic = await runExperiment(await openModel(join(shared, 'gpt2-ts-nocache'), nodeResolver), doc);
    expect(maxAbsDiff(fixed.intervened.logits!, dynamic.intervened.logits!)).toBeLessThan(1e-4);
    expect(maxAbsDiff(fixed.intervened.logits!, fixed.original.logits!)).toBeGreaterThan(1e-3);
    const wrongLength = ExperimentSchema.parse({
      base: { input_ids: want.input_ids.slice(1) }, config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'CollectIntervention' }] }, unit_locations: { base: 0 },
    });
    await expect(runExperiment(await openModel(join(shared, 'gpt2-dynamo'), nodeResolver), wrongLength)).rejects.toMatchObject({ code: 'INPUT_SHAPE_FIXED' });
  });
});

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
