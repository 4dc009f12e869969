// `patchbay inspect`: the site table is right for every export variant (head-level sites found where attention is
// not fused, everything found in these exports), unavailable sites come with their reason for a fused graph, and
// a relative model path needs no leading "./".
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { patchbayInProcess } from '../test-support.js';
import { REPO_ROOT } from '../../engine/load/node-resolver.js';
import { TESTDATA } from '../../engine/test-support/fixtures.js';

const VARIANTS = join(REPO_ROOT, '../shared/testdata/export-variants/generated');

interface Inspection {
  family: string;
  dims: { nLayers: number };
  graph: { exporter: string; dtype: string; fixedInputShape?: number[] };
  sites: Record<string, { layer: number; available: boolean; reason?: string }[]>;
}

async function inspect(...args: string[]): Promise<{ code: number; out: string }> {
  const r = await patchbayInProcess(['inspect', ...args]);
  return { code: r.code, out: r.stdout };
}

describe('patchbay inspect', () => {
  it.each(readdirSync(VARIANTS).sort())('%s: every site found, head-level ones included', async (variant) => {
    const r = await inspect(join(VARIANTS, variant), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Inspection;
    expect(j.family).toBe(variant.startsWith('gpt2') ? 'gpt2' : 'gpt_neox');
    for (const [component, layers] of Object.entries(j.sites)) {
      expect(layers.length, component).toBe(component === 'token_embedding' ? 1 : j.dims.nLayers);
      expect(layers.filter((l) => !l.available), component).toEqual([]);
    }
    expect(j.graph.exporter).toMatch(variant.includes('dynamo') ? /dynamo/ : variant.includes('fused') ? /optimizer/ : /TorchScript/);
    expect(j.graph.dtype).toMatch(variant.includes('fp16') ? /^float16/ : /^float32/);
    expect(j.graph.fixedInputShape).toEqual(variant.includes('dynamo') ? [1, 9] : undefined);
  });

  it('lists what a fused graph hides, with the reason, in the text table', async () => {
    const r = await inspect(join(TESTDATA, 'ortgenai-tiny-random-gpt2-fp32-past-fused.onnx'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/exporter\s+onnxruntime transformer optimizer/);
    expect(r.out).toMatch(/head_query_output\s+2 2 2 2 2/);
    expect(r.out).toMatch(/attention_output\s+✓ ✓ ✓ ✓ ✓/);
    expect(r.out).toMatch(/2\. attention is fused into one Attention op/);
  });

  it('takes a relative folder path without "./"', async () => {
    const r = await inspect(relative(process.cwd(), join(REPO_ROOT, 'public/models/gpt2-facts')), '--json');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as Inspection).dims.nLayers).toBeGreaterThan(0);
  });
});
