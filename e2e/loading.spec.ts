// Loading models in the browser: from local files (the file picker), and from a local server with the Hugging Face
// hub's URL layout, with download progress on screen; a reload opens the hub model from the browser's cache.
import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { appUrl, shot, watchErrors } from './support/app';
import { startHubServer } from './support/hub-server';
import { GPT2_FACTS_DIR, HUB_REPO } from './support/models';

test('a model opens from local files', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(appUrl());
  await page.getByTestId('file-input').setInputFiles(['onnx/model.onnx', 'config.json', 'tokenizer.json', 'tokenizer_config.json'].map((f) => join(GPT2_FACTS_DIR, f)));
  const facts = page.getByTestId('model-facts');
  await expect(facts).toBeVisible();
  await expect(facts).toContainText('GPT-2');
  await expect(facts).toContainText('Layers6');
  await expect(page.getByTestId('model-chip')).toContainText('model.onnx');
  expect(errors).toEqual([]);
});

test('a model downloads from a hub-like server with progress, and a reload comes from the cache', async ({ page }) => {
  const hub = await startHubServer({ [HUB_REPO]: GPT2_FACTS_DIR }, 40);
  try {
    const errors = watchErrors(page);
    await page.goto(appUrl());
    await page.getByText('Hub endpoint').click();
    await page.getByTestId('hub-endpoint').fill(hub.url);
    await page.getByTestId('hub-repo').fill(HUB_REPO);
    await page.getByTestId('hub-load').click();
    const progress = page.getByTestId('load-progress');
    await expect(progress).toBeVisible();
    await expect(page.getByTestId('load-bytes')).toContainText(/of 6\.\d MB \(\d+%\)/);
    await expect(progress.getByRole('progressbar')).toHaveAttribute('aria-valuenow', /\d+/);
    await shot(page, 'ui-model-loading');
    await expect(page.getByTestId('model-facts')).toBeVisible({ timeout: 60_000 });
    const modelPath = `/${HUB_REPO}/resolve/main/onnx/model.onnx`;
    expect(hub.requests.get(modelPath)).toBe(1);
    // The files went into Cache Storage while they streamed in.
    await expect.poll(() => page.evaluate(async () => (await (await caches.open('patchbay-models-v1')).keys()).length)).toBeGreaterThanOrEqual(3);
    await page.waitForTimeout(400);
    expect(new URL(page.url()).hash).toMatch(/^#e=/);
    await page.reload();
    await expect(page.getByTestId('model-facts')).toBeVisible({ timeout: 60_000 });
    expect(hub.requests.get(modelPath)).toBe(1);
    await expect(page.getByText(/Download cache: \d+ files/)).toBeVisible();
    await page.getByRole('button', { name: 'Clear cache' }).click();
    await expect(page.getByText('Download cache: 0 files')).toBeVisible();
    expect(errors).toEqual([]);
  } finally {
    await hub.close();
  }
});
