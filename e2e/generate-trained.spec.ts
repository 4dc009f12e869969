// Steering from a trained intervention in the Generate view: the files `patchbay das --save-dir` writes (made here
// with saveTrained) fill the explicit vector with the trained direction at its layer and component, and the steered
// continuation equals `generate` in Node with the same unit vector.
import { expect, test } from '@playwright/test';
import { saveTrained } from '../engine/training/trained-io';
import type { TrainedCell } from '../engine/training/das';
import { endOfText, generate } from '../engine/experiments/generate';
import { steeringExperiment, steeringVectors } from '../engine/experiments/generate/steering';
import { appUrl, screen, shot, watchErrors } from './support/app';
import { nodeModel } from './support/engine';

test('a trained intervention\'s direction steers the Generate view as in Node', async ({ page }) => {
  test.setTimeout(300_000);
  const errors = watchErrors(page);
  const model = await nodeModel('gpt2-facts');
  const D = model.info.dims.dModel;
  const u = Array.from({ length: D }, (_, i) => Math.fround(Math.cos(3 * i)));
  const cell = { layer: 2, position: -1, component: 'block_output', type: 'LowRankRotatedSpaceIntervention', rank: 1, weight: Float32Array.from(u), weightCols: 1, params: {}, losses: [] } as unknown as TrainedCell;
  const { json, bytes } = saveTrained(cell, 'L2_p5.f32');

  await page.goto(appUrl());
  await expect(page.getByTestId('model-facts')).toBeVisible({ timeout: 120_000 }); // the first visit opens gpt2-facts
  await screen(page, 'Generate');
  await page.getByLabel('a steering vector').check();
  await page.getByLabel('explicit values').check();
  await page.getByTestId('steer-trained-files').setInputFiles([
    { name: 'L2_p5.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(json)) },
    { name: 'L2_p5.f32', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) },
  ]);
  await expect(page.getByTestId('steer-trained-note')).toContainText('direction 0 of 1');
  await expect(page.getByText(`${D} values, comma-separated`)).toBeVisible();
  await page.getByTestId('steer-coefficient').fill('10');
  await page.getByLabel('New tokens').fill('8');
  await page.getByTestId('generate-run').click();
  await expect(page.getByTestId('generate').getByText(/done in/)).toBeVisible({ timeout: 120_000 });
  await shot(page, 'ui-generate-trained');

  const norm = Math.hypot(...u);
  const prompt = await page.getByTestId('gen-prompt').inputValue();
  const spec = { layers: [2], component: 'block_output' as const, coefficient: 10, source: { kind: 'vector' as const, values: u.map((v) => Number((v / norm).toPrecision(7))) } };
  const doc = steeringExperiment(model, prompt, spec, await steeringVectors(model, spec));
  const ref = await generate(model, doc, { maxNewTokens: 8, interveneOn: 'both', temperature: 0, stopTokens: [endOfText(model)!] });
  const shown = await page.getByTestId('gen-intervened').locator('.gen-token-text').allTextContents();
  expect(shown.join('')).toBe(ref.intervened.tokens.map((t) => t.text).join(''));
  expect(errors).toEqual([]);
});
