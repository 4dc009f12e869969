// Helpers the browser tests share: open the app, open a bundled model, read a heatmap's cells, save screenshots
// into e2e/artifacts/ (git-ignored; the best are copied to docs/img by hand).
import { expect, type Page } from '@playwright/test';
import { resolve } from 'node:path';

export const ARTIFACTS = resolve(import.meta.dirname, '../artifacts');

export function appUrl(hash = ''): string {
  const base = process.env.PATCHBAY_URL;
  if (!base) throw new Error('PATCHBAY_URL is not set: run through `npm run test:e2e` (its global setup serves the app)');
  return hash ? `${base}#${hash.replace(/^#/, '')}` : base;
}

/** Fails the test on any uncaught page error. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** Opens a bundled model from the Model screen. A first visit already opens the default model: its button stays
 *  disabled while that load runs (slow on a busy machine), and once it is open there is nothing to click. */
export async function openBundled(page: Page, id: string): Promise<void> {
  await page.getByRole('button', { name: 'Model', exact: true }).click();
  const button = page.getByTestId(`open-${id}`);
  await expect(button).toBeEnabled({ timeout: 120_000 });
  const active = await page.locator('.card-active').filter({ has: button }).count();
  if (!active) await button.click();
  await expect(page.getByTestId('model-facts')).toBeVisible({ timeout: 120_000 });
}

export async function screen(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name, exact: true }).click();
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.mouse.move(0, 0);
  await page.screenshot({ path: resolve(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** A heatmap's cells as values[row][column], read from the SVG's data attributes (full precision). */
export async function heatmapValues(page: Page, testId: string): Promise<number[][]> {
  return page.getByTestId(testId).evaluate((el) => {
    const grid: number[][] = [];
    el.querySelectorAll('rect[data-value]').forEach((r) => {
      const row = Number(r.getAttribute('data-row'));
      const col = Number(r.getAttribute('data-col'));
      (grid[row] ??= [])[col] = Number(r.getAttribute('data-value'));
    });
    return grid;
  });
}

export function maxDiff(a: number[][], b: number[][]): number {
  let m = 0;
  expect(a.length).toBe(b.length);
  a.forEach((row, i) => {
    expect(row.length).toBe(b[i]!.length);
    row.forEach((v, j) => { m = Math.max(m, Math.abs(v - b[i]![j]!)); });
  });
  return m;
}
