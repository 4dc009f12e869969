// A serial-chain preset (pyvene's serial mode: source 0 → source 1 → base) in the Classroom: the card opens the
// intervention and runs it, and the next-token table equals the engine in Node on the document the preset builds.
// The bundled manifest gets one serial preset added on the way to the browser (builds of the second edition carry
// their own; docs/models.md).
import { expect, test } from '@playwright/test';
import { multiSourcePreset } from '../app/components/classroom/presets';
import type { MultiSourcePreset } from '../app/state/catalog';
import { defaultExperiment } from '../app/link/schema';
import { ExperimentSchema } from '../engine/experiment/experiment-schema';
import { runExperiment } from '../engine/experiment/run-experiment';
import { appUrl, screen, shot, watchErrors } from './support/app';
import { nodeModel } from './support/engine';

const CHAIN: MultiSourcePreset = {
  name: 'Italy → Spain → France (serial)', base: 'The capital of France is', mode: 'serial', component: 'block_output',
  sources: ['The capital of Italy is', 'The capital of Spain is'],
  sites: [{ source: 0, layer: 1, position: 'last subject token' }, { source: 1, layer: 4, position: 'last token' }],
  note: 'Italy at the subject into the Spain run, then that run’s last token into the base.',
};

test('a serial-chain preset runs in the browser as in Node', async ({ page }) => {
  const errors = watchErrors(page);
  await page.route('**/models/gpt2-facts/patchbay.json', async (route) => {
    const manifest = await (await route.fetch()).json();
    manifest.presets.multi_source.push(CHAIN);
    await route.fulfill({ json: manifest });
  });
  await page.goto(appUrl());
  await screen(page, 'Classroom');
  const card = page.locator('.preset', { hasText: CHAIN.name });
  await expect(card.locator('.preset-kind')).toHaveText('Serial chain');
  await card.getByRole('button', { name: 'Open and run' }).click();

  const model = await nodeModel('gpt2-facts');
  const e = await multiSourcePreset(defaultExperiment(), CHAIN, model.info.dims.nLayers, async (t) => model.tokenizer!.encode(t));
  expect(e.intervention.unit_locations).toEqual({ 'source_0->source_1': [3, 3], 'source_1->base': [4, 4] });
  const r = await runExperiment(model, ExperimentSchema.parse(e.intervention));
  const top = r.intervened.top_k[0]!;
  expect(top.token).toBe(' Rome'); // the chain carries source 0's capital into the base
  const row = page.getByTestId('next-token-table').locator('tbody tr').first();
  await expect(row).toHaveAttribute('data-token-id', String(top.id), { timeout: 120_000 });
  await shot(page, 'ui-classroom-serial');
  expect(errors).toEqual([]);
});
