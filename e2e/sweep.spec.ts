// The patching sweep in the browser: a tokens × layers heatmap whose cells equal the same sweep computed in Node
// (the worker's sweep function run directly on the engine), and a screenshot of the Classroom screen.
import { expect, test } from '@playwright/test';
import { patchingSweep } from '../app/workers/sweep';
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
  expect(maxDiff(await heatmapValues(page, 'heatmap-sweep'), expected.values)).toBeLessThan(1e-5);
  await shot(page, 'ui-sweep');
  await screen(page, 'Classroom');
  await expect(page.locator('.preset').first()).toBeVisible();
  await shot(page, 'ui-classroom');
  expect(errors).toEqual([]);
});
