// The bundled serial-chain preset (pyvene's serial mode: source 0 → source 1 → base) in the Classroom: the card opens
// the intervention and runs it, and the next-token table equals the engine in Node on the document the preset
// builds; the chain carries source 0's capital into the base (the same two sites in parallel follow source 1).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { multiSourcePreset } from '../app/components/classroom/presets';
import type { MultiSourcePreset } from '../app/state/catalog';
import { defaultExperiment } from '../app/link/schema';
import { ExperimentSchema } from '../engine/experiment/experiment-schema';
import { runExperiment } from '../engine/experiment/run-experiment';
import { BUNDLED_DIR } from '../engine/load/node-resolver';
import { appUrl, screen, shot, watchErrors } from './support/app';
import { nodeModel } from './support/engine';

const MANIFEST = JSON.parse(readFileSync(join(BUNDLED_DIR, 'gpt2-facts', 'patchbay.json'), 'utf8')) as { presets: { multi_source: MultiSourcePreset[] } };
const CHAIN = MANIFEST.presets.multi_source.find((p) => p.mode === 'serial')!;

test('a serial-chain preset runs in the browser as in Node', async ({ page }) => {
  const errors = watchErrors(page);
  expect(CHAIN).toBeDefined();
  await page.goto(appUrl());
  await screen(page, 'Classroom');
  // Both bundled models carry the chain: take gpt2-facts' card.
  const card = page.getByRole('list', { name: /^GPT-2 facts/ }).locator('.preset', { hasText: CHAIN.name });
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
