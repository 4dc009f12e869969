// The Generate view in the browser: a steering preset generates both continuations, token for token what the engine
// computes in Node with the same settings; the coefficient slider at 0 regenerates the original; the settings
// travel in the link, which runs again when opened.
import { expect, test, type Page } from '@playwright/test';
import { endOfText, generate } from '../engine/experiments/generate';
import { steeringExperiment, steeringVectors } from '../engine/experiments/generate/steering';
import { steerSpec } from '../app/workers/generate-op';
import { defaultExperiment, type GenerateSettings } from '../app/link/schema';
import { presetSettings } from '../app/components/generate/presets';
import type { GenerationPreset } from '../app/state/catalog';
import { appUrl, screen, shot, watchErrors } from './support/app';
import { nodeModel } from './support/engine';

const MODEL = 'gpt2-facts';

async function expected(g: GenerateSettings) {
  const model = await nodeModel(MODEL);
  const spec = steerSpec(g.steer);
  const doc = steeringExperiment(model, g.prompt, spec, await steeringVectors(model, spec));
  const eos = endOfText(model);
  return generate(model, doc, {
    maxNewTokens: g.max_new_tokens, interveneOn: g.intervene_on, temperature: g.temperature, topK: g.top_k, topP: g.top_p, seed: g.seed,
    stopTokens: g.stop_at_eos && eos !== undefined ? [eos] : [],
  });
}

/** Opens the bundled model, unless the first-visit quick start is opening it already. */
async function openModel(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Model', exact: true }).click();
  const open = page.getByTestId(`open-${MODEL}`);
  if (await open.isEnabled()) await open.click();
  await expect(page.getByTestId('model-facts')).toBeVisible({ timeout: 120_000 });
}

async function shownTokens(page: Page, testId: string): Promise<{ text: string; prob: number }[]> {
  return page.getByTestId(testId).locator('.gen-token').evaluateAll((els) => els.map((el) => ({
    text: el.querySelector('.gen-token-text')!.textContent ?? '', prob: Number(el.getAttribute('data-prob')),
  })));
}

test('a steering preset streams both continuations, matching the engine; coefficient 0 gives the original; the link keeps it', async ({ page, context }) => {
  test.setTimeout(360_000); // two model loads and three generations; the machine may be busy
  const errors = watchErrors(page);
  await page.goto(appUrl());
  await openModel(page);
  await screen(page, 'Generate');
  const presets = page.getByTestId('gen-presets').getByRole('button');
  await expect(presets.first()).toBeVisible();
  await presets.first().click();
  await page.getByLabel('New tokens').fill('10');
  await page.getByTestId('generate-run').click();
  await expect(page.getByTestId('generate').getByText(/done in/)).toBeVisible();
  await shot(page, 'ui-generate');

  // The view lists the generation presets first, then the next-token steering ones.
  const manifest = await (await fetch(`${appUrl()}models/${MODEL}/patchbay.json`)).json() as { presets: { steering: GenerationPreset[]; generation?: GenerationPreset[] } };
  const p = [...(manifest.presets.generation ?? []), ...manifest.presets.steering][0]!;
  const want: GenerateSettings = { ...presetSettings(defaultExperiment().generate, p), max_new_tokens: 10 };
  const ref = await expected(want);
  const original = await shownTokens(page, 'gen-original');
  const intervened = await shownTokens(page, 'gen-intervened');
  expect(original.map((t) => t.text).join('')).toBe(ref.original.tokens.map((t) => t.text).join(''));
  expect(intervened.map((t) => t.text).join('')).toBe(ref.intervened.tokens.map((t) => t.text).join(''));
  intervened.forEach((t, i) => expect(Math.abs(t.prob - ref.intervened.tokens[i]!.prob)).toBeLessThan(1e-3));
  expect(intervened.map((t) => t.text)).not.toEqual(original.map((t) => t.text));

  // Coefficient 0: the slider regenerates by itself, and the steered column equals the original.
  await page.getByTestId('steer-coefficient').fill('0');
  await expect(page.getByText('Steered (× 0.0)')).toBeVisible();
  await expect(page.getByTestId('generate').getByText(/done in/)).toBeVisible();
  await expect.poll(async () => (await shownTokens(page, 'gen-intervened')).map((t) => t.text).join('')).toBe(original.map((t) => t.text).join(''));

  // The link: a fresh page opens on the Generate view with the same prompt and coefficient.
  await page.waitForFunction(() => window.location.hash.length > 10);
  const url = page.url();
  expect(errors).toEqual([]);
  await page.close(); // one engine at a time on this machine
  const other = await context.newPage();
  await other.goto(url);
  await expect(other.getByTestId('gen-prompt')).toHaveValue(p.prompt);
  await expect(other.getByText('Coefficient: 0.0')).toBeVisible();
  // Opening the link also runs it once the model is loaded.
  await expect(other.getByTestId('generate').getByText(/done in/)).toBeVisible({ timeout: 120_000 });
  await expect.poll(async () => (await shownTokens(other, 'gen-intervened')).map((t) => t.text).join('')).toBe(original.map((t) => t.text).join(''));
});
