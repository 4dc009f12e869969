// The first visit: the bundled default model opens without a click, the Model screen's quick start traces the Eiffel
// Tower prompt in one click with a window that fits the 6-layer model (2, not ROME's 10; computed ahead by the worker
// once the model is open, and equal to a fresh trace), and the Window hint says why. Timing is bench:ui's job
// (tools/bench/ui.ts), not this test's.
import { expect, test } from '@playwright/test';
import { appUrl, shot, watchErrors } from './support/app';

test('a first visit opens the default model and traces the Eiffel Tower in one click', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(appUrl());
  await expect(page.getByTestId('quick-trace-state')).toHaveText(/is open$/, { timeout: 120_000 });
  await expect(page.getByTestId('model-facts')).toBeVisible();
  await shot(page, 'ui-quickstart');
  await page.getByTestId('quick-trace').click();
  await expect(page.getByTestId('trace-prompt')).toHaveValue('The Eiffel Tower is located in the city of');
  await expect(page.getByRole('spinbutton', { name: 'Window' })).toHaveValue('2');
  await expect(page.getByText('suits this 6-layer model')).toBeVisible();
  await expect(page.getByTestId('trace-tokens').locator('[data-pos]').first()).toBeVisible({ timeout: 120_000 }); // the preview's tokens
  const tokens = await page.getByTestId('trace-tokens').locator('[data-pos]').count();
  expect(tokens).toBeGreaterThan(5);
  for (const kind of ['resid', 'mlp', 'attn']) {
    await expect(page.getByTestId(`heatmap-${kind}`).locator('rect[data-value]')).toHaveCount(tokens * 6, { timeout: 120_000 });
  }
  // The click joined the trace the worker computed ahead once the model was open; the same trace run again from
  // scratch gives the same cells.
  const cells = () => page.locator('[data-testid^="heatmap-"] rect[data-value]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-value')));
  const ahead = await cells();
  await expect(page.getByText(/done in \d/)).toBeVisible();
  await page.getByTestId('trace-run').click();
  await expect(page.getByText(/done in \d/)).toBeHidden();
  await expect(page.getByText(/done in \d/)).toBeVisible({ timeout: 120_000 });
  expect(await cells()).toEqual(ahead);
  // ROME's window is one click away, and the hint then says it restores every layer at once
  await page.getByRole('spinbutton', { name: 'Window' }).fill('10');
  await expect(page.getByText('restores all 6 layers at once')).toBeVisible();
  await page.getByTestId('trace-window-fit').click();
  await expect(page.getByRole('spinbutton', { name: 'Window' })).toHaveValue('2');
  expect(errors).toEqual([]);
});
