// The patching sweep in the browser: a tokens × layers heatmap whose cells equal the same sweep computed in Node
// (the worker's sweep function run directly on the engine), and a screenshot of the Classroom screen.
import { expect, test } from '@playwright/test';
import { patchingSweep } from '../app/workers/sweep';
import { runExperiment } from '../engine/experiment/run-experiment';
import { validateExperiment } from '../engine/experiment/experiment-schema';
import { softmax } from '../engine/experiment/top-k';
import { defaultExperiment } from '../app/link/schema';
import { appUrl, heatmapValues, maxDiff, openBundled, screen, shot, watchErrors } from './support/app';
import { nodeModel } from './support/engine';

test('a patching sweep matches the engine in Node', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(appUrl());
  await openBundled(page, 'gpt2-facts');
  await screen(page, 'Patching sweep');
  const settings = defaultExperiment().sweep;
  await expect(page.getByTestId('sweep-base')).toHaveValue(settings.base);
  await page.getByTestId('sweep-run').click();
  const model = await nodeModel('gpt2-facts');
  const expected = await patchingSweep(model, settings, { onProgress: () => undefined, signal: new AbortController().signal });
  await expect(page.getByTestId('heatmap-sweep').locator('rect[data-value]')).toHaveCount(expected.tokens.length * expected.layers);
  const shown = await heatmapValues(page, 'heatmap-sweep');
  expect(maxDiff(shown, expected.values)).toBeLessThan(1e-5);
  // Spot checks against single-cell experiments (the sweep batches a layer's cells into one run).
  for (const [layer, pos] of [[0, 6], [3, expected.tokens.length - 1], [5, 2]] as const) {
    const doc = validateExperiment({ base: settings.base, sources: [settings.source], options: { full_logits: true },
      config: { representations: [{ layer, component: settings.component, intervention_type: 'VanillaIntervention' }] },
      unit_locations: { 'sources->base': pos } });
    if (!doc.ok) throw new Error(JSON.stringify(doc.errors));
    const r = await runExperiment(model, doc.value);
    expect(Math.abs(shown[pos]![layer]! - softmax(r.intervened.logits!)[expected.answer.id]!)).toBeLessThan(1e-5);
  }
  await shot(page, 'ui-sweep');
  await screen(page, 'Classroom');
  await expect(page.locator('.preset').first()).toBeVisible();
  await shot(page, 'ui-classroom');
  expect(errors).toEqual([]);
});
