// Causal trace in the browser: run it on a bundled model from the UI, and check that the three heatmaps have one cell
// per token × layer whose values equal the engine's in Node for the same settings (wasm), then again on WebGPU.
import { expect, test } from '@playwright/test';
import { causalTrace } from '../engine/experiments/causal-trace';
import { traceOptions } from '../app/workers/trace-op';
import { defaultExperiment } from '../app/link/schema';
import { appUrl, heatmapValues, maxDiff, openBundled, screen, shot, watchErrors } from './support/app';
import { nodeModel } from './support/engine';

const MODEL = 'gpt2-facts';
const SETTINGS = { ...defaultExperiment().trace, samples: 4, window: 2, seed: 7 };
/** WebGPU in CI is SwiftShader (~1 s per run), so its trace uses a short prompt: fewer token rows, fewer runs. */
const SHORT = { ...SETTINGS, prompt: 'Big Ben is in', subject: 'Big Ben' };

test('a causal trace matches the engine in Node, on wasm and on WebGPU', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(appUrl());
  await openBundled(page, MODEL);
  await shot(page, 'ui-model');
  await screen(page, 'Causal trace');
  await page.getByTestId('trace-prompt').fill(SETTINGS.prompt);
  await page.getByTestId('trace-subject').fill(SETTINGS.subject);
  await page.getByLabel('Samples').fill(String(SETTINGS.samples));
  await page.getByLabel('Window').fill(String(SETTINGS.window));
  await page.getByLabel('Seed').fill(String(SETTINGS.seed));
  await expect(page.getByTestId('answer-picker')).toBeVisible();
  await expect(page.getByTestId('trace-tokens').locator('.token-subject')).not.toHaveCount(0);

  const model = await nodeModel(MODEL);
  const expected = await causalTrace(model, traceOptions(SETTINGS));
  const layers = model.info.dims.nLayers;

  await page.getByTestId('trace-run').click();
  for (const kind of ['resid', 'mlp', 'attn'] as const) {
    await expect(page.getByTestId(`heatmap-${kind}`).locator('rect[data-value]')).toHaveCount(expected.tokens.length * layers);
  }
  await shot(page, 'ui-trace');
  const wasm = { resid: await heatmapValues(page, 'heatmap-resid'), mlp: await heatmapValues(page, 'heatmap-mlp'), attn: await heatmapValues(page, 'heatmap-attn') };
  for (const kind of ['resid', 'mlp', 'attn'] as const) {
    expect(maxDiff(wasm[kind], expected.scores[kind]!), `${kind} on wasm`).toBeLessThan(1e-5);
  }
  const starred = await page.getByTestId('heatmap-resid').locator('.tick text').allTextContents();
  expect(starred.filter((t) => t.endsWith('*'))).toHaveLength(expected.subject_range[1] - expected.subject_range[0]);

  // A trace on WebGPU (SwiftShader): the engine's values within 1e-4.
  const short = await causalTrace(model, traceOptions(SHORT));
  await screen(page, 'Model');
  await page.getByTestId('provider-webgpu').check();
  await expect(page.getByTestId('runtime-facts')).toContainText('WebGPU');
  await expect(page.getByTestId('model-chip')).toContainText('WebGPU');
  await screen(page, 'Causal trace');
  await page.getByTestId('trace-prompt').fill(SHORT.prompt);
  await page.getByTestId('trace-subject').fill(SHORT.subject);
  await expect(page.getByTestId('trace-tokens').locator('.token')).toHaveCount(short.tokens.length);
  await page.getByTestId('trace-run').click();
  await expect(page.getByTestId('heatmap-resid').locator('rect[data-value]')).toHaveCount(short.tokens.length * layers, { timeout: 170_000 });
  for (const kind of ['resid', 'mlp', 'attn'] as const) {
    const gpu = await heatmapValues(page, `heatmap-${kind}`);
    expect(maxDiff(gpu, short.scores[kind]!), `${kind} on WebGPU`).toBeLessThan(1e-4);
  }
  expect(errors).toEqual([]);
});
