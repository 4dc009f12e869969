// The Classroom in the browser: presentation mode (large type) is part of the shared link, and a preset opens its
// model, sets up the experiment and runs it with one click. The trace's heatmap is readable from the keyboard and
// exports SVG, PNG and CSV.
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { decode } from '../app/link/codec';
import { appUrl, screen, shot, watchErrors } from './support/app';

test('a classroom preset runs in presentation mode, and the link carries the lesson', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(appUrl());
  await screen(page, 'Classroom');
  await page.getByTestId('presentation-toggle').check();
  await expect(page.locator('html')).toHaveClass(/presentation/);
  const preset = page.locator('.preset', { hasText: 'Causal trace' }).first();
  const title = await preset.locator('.preset-title').innerText();
  await preset.getByRole('button', { name: 'Open and run' }).click();
  await expect(page.getByRole('button', { name: 'Causal trace', exact: true })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('heatmap-mlp').locator('rect[data-value]').first()).toBeVisible({ timeout: 120_000 });
  expect(title).toContain(await page.getByTestId('trace-subject').inputValue());

  // The heatmap reads out values from the keyboard.
  const svg = page.getByTestId('heatmap-resid').locator('svg');
  await svg.focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('heatmap-resid').locator('.heatmap-tip')).toContainText(/layer 1/);
  await expect(page.getByTestId('heatmap-resid').locator('.heatmap-tip')).toContainText(/p\(.+\) = \d/);
  await shot(page, 'ui-presentation');

  // Exports: a self-contained SVG, a PNG, and a CSV with a row per token.
  const figure = page.getByTestId('heatmap-resid');
  const rows = await figure.locator('rect[data-col="0"]').count();
  const read = async (name: string) => {
    const [download] = await Promise.all([page.waitForEvent('download'), figure.getByRole('button', { name, exact: true }).click()]);
    return { name: download.suggestedFilename(), bytes: readFileSync((await download.path())!) };
  };
  const svgFile = await read('SVG');
  expect(svgFile.name).toMatch(/\.svg$/);
  expect(svgFile.bytes.toString('utf8')).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*data-value=/);
  const png = await read('PNG');
  expect(png.bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  const csv = (await read('CSV')).bytes.toString('utf8').trim().split('\n');
  expect(csv).toHaveLength(rows + 1);
  expect(csv[0]).toMatch(/^token,layer 0,layer 1/);

  await page.waitForTimeout(400);
  const d = decode(new URL(page.url()).hash.replace(/^#e=/, ''));
  expect(d.ok && d.value.classroom.presentation).toBe(true);
  expect(d.ok && d.value.model).toEqual({ kind: 'bundled', id: 'gpt2-facts' });
  expect(errors).toEqual([]);
});
