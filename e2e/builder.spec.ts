// The intervention builder in the browser: build an interchange intervention by clicking (a site, then tokens),
// run it and check the next-token table against the engine in Node; paste a pyvene config and see it applied;
// paste a broken document and see the problem at its JSON path.
import { expect, test, type Download, type Page } from '@playwright/test';
import { runExperiment } from '../engine/experiment/run-experiment';
import { validateExperiment } from '../engine/experiment/experiment-schema';
import { appUrl, openBundled, screen, shot, watchErrors } from './support/app';
import { nodeModel } from './support/engine';

const MODEL = 'gpt2-facts';

async function currentDoc(page: Page): Promise<Record<string, unknown>> {
  return JSON.parse(await page.getByTestId('json-editor').inputValue()) as Record<string, unknown>;
}

test('an interchange intervention built by clicking matches the engine', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(appUrl());
  await openBundled(page, MODEL);
  await screen(page, 'Interventions');
  await expect(page.getByTestId('site-diagram')).toBeVisible();
  // Start from nothing: remove the default intervention, then add one at layer 1's block output.
  await page.locator('.site-cell-used').first().click();
  await page.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(page.locator('.site-cell-used')).toHaveCount(0);
  await page.locator('[data-layer="1"][data-component="block_output"]').click();
  await expect(page.getByTestId('rep-editor')).toBeVisible();
  // New interventions start at the last token; move this one to the last subject token (position 6).
  const strip = page.getByTestId('base-strip');
  await strip.locator('[data-pos="6"]').click();
  await expect(strip.locator('.token-selected')).toHaveCount(1);
  await expect(page.getByTestId('source-strip').locator('.token-selected')).toHaveAttribute('data-pos', '6');

  // The JSON view follows the builder one render later (an effect), so wait for it rather than read it once.
  await expect.poll(async () => (await currentDoc(page)).unit_locations).toEqual({ 'sources->base': [[[[6]]], [[[6]]]] });
  const doc = await currentDoc(page);
  expect(doc.config).toMatchObject({ representations: [{ layer: 1, component: 'block_output', intervention_type: 'VanillaIntervention' }] });

  await page.getByTestId('intervention-run').click();
  const table = page.getByTestId('next-token-table');
  await expect(table).toBeVisible();
  await shot(page, 'ui-builder');

  const parsed = validateExperiment(doc);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const expected = await runExperiment(await nodeModel(MODEL), parsed.value);
  const rows = table.locator('tbody tr');
  const top = expected.intervened.top_k[0]!;
  await expect(rows.first()).toHaveAttribute('data-token-id', String(top.id));
  await expect(rows.first().locator('[data-col="after"]')).toHaveText(top.prob.toFixed(3));
  const original = expected.original.top_k.find((t) => t.id === top.id);
  if (original) await expect(rows.first().locator('[data-col="before"]')).toHaveText(original.prob.toFixed(3));
  // Both sides are exact for every token in either top-k (no "not in top k" gaps).
  await expect(table.getByText(/not in top/)).toHaveCount(0);
  // Every intervened top-k token has its row, with its probability.
  for (const t of expected.intervened.top_k) {
    await expect(table.locator(`tr[data-token-id="${t.id}"] [data-col="after"]`)).toContainText(t.prob >= 0.001 ? t.prob.toFixed(3) : t.prob.toExponential(1));
  }
  // The same experiment for pyvene: a script naming the same site, unit and locations, and pyvene's config.json.
  const script = page.waitForEvent('download');
  await page.getByTestId('export-python').click();
  const py = await readDownload(await script);
  expect(py).toContain('pv.RepresentationConfig(layer=1, component="block_output", unit="pos", max_number_of_units=1, intervention_type=pv.VanillaIntervention');
  expect(py).toContain('unit_locations = {"sources->base": ([[[6]]], [[[6]]])}');
  const config = page.waitForEvent('download');
  await page.getByTestId('export-pyvene-config').click();
  const saved = JSON.parse(await readDownload(await config));
  expect(saved.representations[0].slice(0, 4)).toEqual([1, 'block_output', 'pos', 1]);
  expect(saved.intervention_types).toEqual(["<class 'pyvene.models.interventions.VanillaIntervention'>"]);
  expect(errors).toEqual([]);
});

async function readDownload(d: Download): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of (await d.createReadStream())!) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

test('a pasted pyvene config is applied, and a broken one is explained', async ({ page }) => {
  await page.goto(appUrl());
  await openBundled(page, MODEL);
  await screen(page, 'Interventions');
  const editor = page.getByTestId('json-editor');
  const pyvene = { model_type: 'gpt2', representations: [{ layer: 3, component: 'attention_output', unit: 'pos', max_number_of_units: 1 }], intervention_types: 'VanillaIntervention' };
  await editor.fill(JSON.stringify(pyvene));
  await expect(page.getByText('Read as a pyvene IntervenableConfig')).toBeVisible();
  await expect(page.locator('[data-layer="3"][data-component="attention_output"]')).toHaveClass(/site-cell-used/);
  await expect(page.locator('.site-cell-used')).toHaveCount(1);
  await page.getByTestId('intervention-run').click();
  await expect(page.getByTestId('next-token-table')).toBeVisible();

  const doc = await currentDoc(page);
  (doc.config as { representations: Record<string, unknown>[] }).representations[0]!.layer = -2;
  await editor.fill(JSON.stringify(doc, null, 2));
  await expect(page.getByTestId('json-errors')).toContainText('config.representations[0].layer');
  await editor.fill('{ "base": "x", oops }');
  await expect(page.getByTestId('json-errors')).toContainText(/line 1, column \d+/);
  // The last valid document is still the experiment: the site grid still shows it.
  await expect(page.locator('[data-layer="3"][data-component="attention_output"]')).toHaveClass(/site-cell-used/);
});
