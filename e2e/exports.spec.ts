// A graph fused by onnxruntime's optimizer opens in the workbench with the sites fusion hides greyed out in the
// Interventions site grid, the reason on hover; clicking one adds nothing. (Other exporters' graphs are checked
// against PyTorch in Chromium by e2e/engine-parity.test.ts.)
import { expect, test, type Page } from '@playwright/test';
import { join, resolve } from 'node:path';
import { appUrl, screen, shot, watchErrors } from './support/app';

const SHARED = resolve(import.meta.dirname, '../../shared/testdata');

/** A first visit opens the bundled default model; the files are opened once that is done. */
async function openFiles(page: Page, files: string[], expectText: string): Promise<void> {
  await page.goto(appUrl());
  await expect(page.getByTestId('model-facts')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('file-input').setInputFiles(files);
  await expect(page.getByTestId('model-facts')).toContainText(expectText, { timeout: 120_000 });
}

test('a fused onnxruntime graph opens; sites it hides are greyed out with the reason', async ({ page }) => {
  const errors = watchErrors(page);
  await openFiles(page, [join(SHARED, 'onnx-real/ortgenai-tiny-random-gpt2-fp32-past-fused.onnx')], 'onnxruntime transformer optimizer');
  const facts = page.getByTestId('model-facts');
  await expect(facts).toContainText(/Hook sites\d+ unavailable: the embeddings are fused/);
  await screen(page, 'Interventions');
  await page.getByLabel('Attention internals and heads').check();
  const hidden = page.locator('[data-layer="2"][data-component="head_query_output"]');
  await expect(hidden).toHaveClass(/site-cell-unavailable/);
  await expect(hidden).toHaveAttribute('title', /fused into one Attention op/);
  await expect(page.getByTestId('sites-unavailable-note')).toBeVisible();
  const used = await page.locator('.site-cell-used').count();
  await hidden.click({ force: true }); // aria-disabled: Playwright would wait for it to become enabled
  await expect(page.locator('.site-cell-used')).toHaveCount(used); // nothing was added
  const open = page.locator('[data-layer="2"][data-component="attention_output"]');
  await expect(open).not.toHaveClass(/site-cell-unavailable/);
  await hidden.hover();
  await shot(page, 'ui-sites-unavailable');
  expect(errors).toEqual([]);
});
