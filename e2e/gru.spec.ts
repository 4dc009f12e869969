// A GRU in the browser: gru-recall opens, the Interventions screen is the time-step panel, the state preset (layer 1,
// t = 2) changes every later output and the output-only preset step 2's alone; the heatmaps and the per-step table
// equal the engine in Node within 1e-4; screens for transformers say so; the link reopens the GRU and reruns.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_DIR } from '../engine/load/node-resolver';
import { loadRecurrentModel } from '../engine/recurrent/load-recurrent';
import { runGru, type GruRunOutput } from '../app/workers/gru-op';
import { gruDoc, presetForm, stateGrids, symbolsOf, type TimeStepPreset } from '../app/components/recurrent/gru-doc';
import { appUrl, heatmapValues, maxDiff, openBundled, screen, shot, watchErrors } from './support/app';
import { decode } from '../app/link/codec';
import { linkFromHash } from '../app/state/url-sync';

const DIR = join(BUNDLED_DIR, 'gru-recall');
const PRESETS = (JSON.parse(readFileSync(join(DIR, 'patchbay.json'), 'utf8')) as { presets: { time_step: TimeStepPreset[] } }).presets.time_step;

async function expected(p: TimeStepPreset): Promise<GruRunOutput> {
  const model = loadRecurrentModel({ name: 'gru-recall', model: new Uint8Array(readFileSync(join(DIR, 'onnx/model.onnx'))) });
  return runGru(model, gruDoc(presetForm(p)), { onProgress: () => undefined, signal: new AbortController().signal });
}

/** Runs a preset and checks the page against the engine: both heatmaps and every row of the step table. */
async function runPreset(page: Page, index: number): Promise<void> {
  const p = PRESETS[index]!;
  await page.getByTestId('gru-presets').getByRole('button', { name: p.name }).click();
  await page.getByTestId('gru-run').click();
  await expect(page.getByTestId('gru').getByText(/done in/)).toBeVisible({ timeout: 120_000 });
  const want = await expected(p);
  const grids = stateGrids(want.states, symbolsOf(p.base)!, { layer: p.layer, t: p.base_t });
  for (const [layer, grid] of grids.entries()) {
    expect(maxDiff(await heatmapValues(page, `gru-heatmap-${layer}`), grid.values)).toBeLessThan(1e-4);
  }
  const rows = await page.getByTestId('gru-step-table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    original: Number(tr.getAttribute('data-original')), originalP: Number(tr.getAttribute('data-original-p')),
    intervened: Number(tr.getAttribute('data-intervened')), intervenedP: Number(tr.getAttribute('data-intervened-p')),
  })));
  expect(rows.map((r) => r.original)).toEqual(want.original.prediction);
  expect(rows.map((r) => r.intervened)).toEqual(want.intervened.prediction);
  rows.forEach((r, t) => {
    expect(Math.abs(r.originalP - want.table[t]!.original.prob)).toBeLessThan(1e-4);
    expect(Math.abs(r.intervenedP - want.table[t]!.intervened.prob)).toBeLessThan(1e-4);
  });
}

test('gru-recall: the time-step panel runs both presets like the engine; other screens say they need a transformer; the link reruns', async ({ page, context }) => {
  test.setTimeout(300_000);
  const errors = watchErrors(page);
  await page.goto(appUrl());
  await openBundled(page, 'gru-recall');
  await expect(page.getByTestId('model-facts')).toContainText('GRU (recurrent network)');
  await shot(page, 'ui-gru-model');

  await screen(page, 'Interventions');
  await runPreset(page, 0);
  await expect(page.getByTestId('gru-summary')).toHaveText('The output changed at steps 2, 3, 4, 5, 6, 7 of 8.');
  await shot(page, 'ui-gru-state');
  await runPreset(page, 1);
  await expect(page.getByTestId('gru-summary')).toHaveText('The output changed at step 2 of 8.');
  await expect(page.getByTestId('gru-mode-explain')).toContainText('own memory keeps its original state');
  await shot(page, 'ui-gru-output-only');

  await screen(page, 'Causal trace');
  await expect(page.getByTestId('recurrent-notice')).toContainText('recurrent network (GRU)');
  await shot(page, 'ui-gru-trace-notice');

  // The link: a fresh page opens gru-recall on the time-step panel and runs the output-only experiment again.
  await screen(page, 'Interventions');
  // The fragment is rewritten a moment after each change: wait until it says this screen, not merely that it changed.
  await expect.poll(async () => {
    const decoded = decode(linkFromHash(new URL(page.url()).hash) ?? '');
    return decoded.ok ? decoded.value.view : null;
  }).toBe('intervene');
  const url = page.url();
  expect(errors).toEqual([]);
  await page.close(); // one engine at a time on this machine
  const other = await context.newPage();
  await other.goto(url);
  await expect(other.getByTestId('gru-summary')).toHaveText('The output changed at step 2 of 8.', { timeout: 120_000 });
});
