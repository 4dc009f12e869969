// Attribution patching on the GPT-2 fixture: the estimate is the directional derivative of log p(answer) along
// (clean − corrupted) at each cell (checked by central differences with a mask of ±ε), it is zero where clean and
// corrupted activations agree, and the exact sweep is zero there too; exactCells (verify chosen cells) matches it.
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../test-support/fixtures.js';
import { attributionPatching, exactCells, patchSweep, pearson } from './attribution.js';
import { collectSites } from './das.js';

describe('attribution patching', () => {
  it('estimates each cell’s patch effect by the gradient, as central differences confirm', async () => {
    const model = loadFixture('tiny-gpt2');
    const clean = [11, 52, 7, 300, 45];
    const corrupt = [11, 9, 7, 123, 45]; // differs at positions 1 and 3
    const answer = 17;
    const r = await attributionPatching(model, clean, corrupt, answer, { exact: true });
    const layers = model.info.dims.nLayers;
    expect(r.estimate).toHaveLength(layers);
    for (let l = 0; l < layers; l++) {
      expect(r.estimate[l]![0]).toBe(0); // position 0 sees no difference (causal attention)
      expect(Math.abs(r.exact![l]![0]!)).toBeLessThan(1e-5);
    }
    const specs = Array.from({ length: layers }, (_, layer) => ({ site: { layer, component: 'block_output' as const }, kind: 'affine' as const }));
    const acts = await collectSites(model, [clean, corrupt], specs.map((s) => s.site.layer), 'block_output');
    const eps = 1e-2;
    const plus = await patchSweep(model, specs, clean, corrupt, answer, acts, eps);
    const minus = await patchSweep(model, specs, clean, corrupt, answer, acts, -eps);
    let checked = 0;
    for (let l = 0; l < layers; l++) for (let p = 1; p < clean.length; p++) {
      const fd = (plus.cells[l]![p]! - minus.cells[l]![p]!) / (2 * eps);
      expect(Math.abs(r.estimate[l]![p]! - fd), `L${l} pos ${p}: ${r.estimate[l]![p]} vs ${fd}`).toBeLessThan(2e-4 + 2e-3 * Math.abs(fd));
      if (Math.abs(fd) > 1e-3) checked++;
    }
    expect(checked).toBeGreaterThan(3);
    expect(r.corrupt_logprob).toBeCloseTo(plus.corrupt, 4);
    expect(r.correlation).toBeCloseTo(pearson(r.estimate.flat(), r.exact!.flat()), 12);
    // verifying chosen cells exactly (one batched pass over just those cells) gives the sweep's numbers
    const chosen = [{ layer: layers - 1, position: 3 }, { layer: 0, position: 1 }, { layer: 0, position: 3 }];
    const verified = await exactCells(model, clean, corrupt, answer, 'block_output', chosen);
    chosen.forEach((c, i) => expect(Math.abs(verified[i]! - r.exact![c.layer]![c.position]!), `L${c.layer} pos ${c.position}`).toBeLessThan(1e-4));
    expect(verified.some((x) => Math.abs(x) > 1e-3)).toBe(true);
    await expect(exactCells(model, clean, corrupt, answer, 'block_output', [{ layer: 0, position: 9 }])).rejects.toThrow(/position 9 is outside the prompt's 5 tokens/);
  });

  it('pearson: 1 for proportional series, −1 for reversed', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
  });
});
