// Share links in the browser: a link opened in a fresh browser restores the same experiment and, once its model has
// loaded, the same result; a damaged link explains itself and leaves a usable app; a link naming a model on an
// origin the user has not approved downloads nothing until they allow it.
import { expect, test } from '@playwright/test';
import { encode } from '../app/link/codec';
import { defaultExperiment } from '../app/link/schema';
import { appUrl, heatmapValues, maxDiff, openBundled, screen, shot, watchErrors } from './support/app';
import { startHubServer } from './support/hub-server';
import { GPT2_FACTS_DIR, HUB_REPO } from './support/models';

test('a share link restores the experiment and its result in a fresh browser', async ({ page, browser }) => {
  await page.goto(appUrl());
  await openBundled(page, 'gpt2-facts');
  await screen(page, 'Causal trace');
  await page.getByTestId('trace-prompt').fill('The Colosseum is located in the city of');
  await page.getByTestId('trace-subject').fill('Colosseum');
  await page.getByLabel('Samples').fill('3');
  await page.getByLabel('Window').fill('2');
  await page.getByTestId('trace-run').click();
  await expect(page.getByTestId('heatmap-resid')).toBeVisible();
  const before = await heatmapValues(page, 'heatmap-resid');
  await expect.poll(() => new URL(page.url()).hash).toMatch(/^#e=/);
  await page.waitForTimeout(400); // the fragment is written 250 ms after the last change
  const link = page.url();
  expect(new URL(link).hash.length).toBeLessThan(2000);

  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  const errors = watchErrors(other);
  await other.goto(link);
  await expect(other.getByTestId('trace-prompt')).toHaveValue('The Colosseum is located in the city of');
  await expect(other.getByTestId('trace-subject')).toHaveValue('Colosseum');
  await expect(other.getByLabel('Samples')).toHaveValue('3');
  await expect(other.getByTestId('model-chip')).toContainText('gpt2-facts');
  await expect(other.getByTestId('heatmap-resid').locator('rect[data-value]')).toHaveCount(before.length * before[0]!.length);
  expect(maxDiff(await heatmapValues(other, 'heatmap-resid'), before)).toBe(0);
  expect(errors).toEqual([]);
  await fresh.close();
});

test('a damaged link says so, and the app still works', async ({ page }) => {
  const errors = watchErrors(page);
  const good = encode({ ...defaultExperiment(), view: 'trace' });
  const cut = good.slice(0, Math.floor(good.length / 2));
  await page.goto(appUrl(`e=${cut}`));
  const banner = page.getByTestId('link-error');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('This link could not be opened');
  await expect(banner).toContainText(/damaged|cut|edited/);
  await shot(page, 'ui-link-error');
  await page.goto(appUrl('e=1.not-a-link!'));
  await expect(page.getByTestId('link-error')).toContainText(/characters|damaged/);
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByTestId('link-error')).toHaveCount(0);
  await openBundled(page, 'gpt2-facts');
  await screen(page, 'Causal trace');
  await expect(page.getByTestId('answer-picker')).toBeVisible();
  expect(errors).toEqual([]);
});

test('a link to a model on an unapproved origin asks before downloading', async ({ page }) => {
  const hub = await startHubServer({ [HUB_REPO]: GPT2_FACTS_DIR });
  try {
    const url = `${hub.url}/${HUB_REPO}/resolve/main`;
    const link = encode({ ...defaultExperiment(), view: 'model', model: { kind: 'url', url, variant: 'fp32' } });
    await page.goto(appUrl(`e=${link}`));
    const ask = page.getByTestId('approval');
    await expect(ask).toContainText(new URL(hub.url).host);
    await page.waitForTimeout(500);
    expect([...hub.requests.keys()]).toEqual([]);
    await shot(page, 'ui-approval');
    await ask.getByRole('button', { name: 'Allow once' }).click();
    await expect(page.getByTestId('model-facts')).toBeVisible({ timeout: 60_000 });
    expect(hub.requests.get(`/${HUB_REPO}/resolve/main/onnx/model.onnx`)).toBe(1);
  } finally {
    await hub.close();
  }
});
