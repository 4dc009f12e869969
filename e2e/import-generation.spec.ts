// Generation results from past the browser: a `generate --json` result (computed here with the Node engine, then given
// a pyvene-on-cuda provenance, a model the browser cannot load and its generation document, as an exported script
// writes it) opens the Generate screen with both continuations token by token and each token's probability, the
// document as the screen's settings (which the link carries; the numbers stay in the file), and the provenance; an
// older file without per-token probabilities shows the continuations' text with a note.
import { expect, test, type Page } from '@playwright/test';
import { generate } from '../engine/experiments/generate';
import { steeringExperiment, steeringVectors } from '../engine/experiments/generate/steering';
import { parseSteerSpec } from '../engine/experiments/generate/steer-spec';
import { decode } from '../app/link/codec';
import { appUrl, shot, watchErrors } from './support/app';
import { nodeModel } from './support/engine';

test.describe.configure({ timeout: 300_000 });

const PROMPT = 'John opened the letter and felt';
const STEER = { layers: [0], component: 'block_output', coefficient: 1, positive: ['The day was wonderful'], negative: ['The day was terrible'] };
const PYVENE = { engine: 'pyvene', versions: { pyvene: '0.1.8', torch: '2.13.0', transformers: '5.18.0' }, model: 'openai-community/gpt2-xl', device: 'cuda', remote: false };

async function importFile(page: Page, name: string, data: unknown): Promise<void> {
  await page.getByTestId('import-input').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(data)) });
}

async function shownTokens(page: Page, testId: string): Promise<{ text: string; prob: string }[]> {
  return page.getByTestId(testId).locator('.gen-token').evaluateAll((els) => els.map((el) => ({
    text: el.querySelector('.gen-token-text')!.textContent ?? '', prob: el.getAttribute('data-prob') ?? '',
  })));
}

test('an imported generation shows both continuations with probabilities and its provenance; an older file its text', async ({ page }) => {
  const errors = watchErrors(page);
  const model = await nodeModel('gpt2-facts');
  const spec = parseSteerSpec(JSON.stringify(STEER), model.info.dims.nLayers);
  const doc = steeringExperiment(model, PROMPT, spec, await steeringVectors(model, spec));
  const g = await generate(model, doc, { maxNewTokens: 10, interveneOn: 'both', temperature: 0 });
  const brief = (c: typeof g.original) => ({ ids: c.ids, text: c.text ?? '', tokens: c.tokens });
  const experiment = { kind: 'generate', model: 'openai-community/gpt2-xl', prompt: PROMPT, steer: STEER, max_new_tokens: 10, intervene_on: 'both', stop_at_eos: false };
  const file = { model: 'openai-community/gpt2-xl', prompt_ids: g.prompt_ids, original: brief(g.original), intervened: brief(g.intervened), provenance: PYVENE, experiment };
  expect(g.intervened.ids).not.toEqual(g.original.ids); // the steering changes the continuation: both columns differ

  await page.goto(appUrl());
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Generate', exact: true }).click();
  await page.getByTestId('gen-prompt').fill('A prompt of my own');
  await importFile(page, 'generate-gpt2-xl.json', file);
  const banner = page.getByTestId('import-banner');
  await expect(banner).toContainText('Imported: pyvene 0.1.8 on cuda');
  await expect(page.getByTestId('import-model')).toHaveText('openai-community/gpt2-xl');
  await expect(banner).toContainText('From the file: prompt, steering vector, new tokens, where it applies and greedy decoding of the generation document.');
  for (const [testId, c] of [['gen-original', g.original], ['gen-intervened', g.intervened]] as const) {
    expect(await shownTokens(page, testId)).toEqual(c.tokens.map((t) => ({ text: t.text!.replace(/\n/g, '↵') || '∅', prob: t.prob.toFixed(4) })));
    await expect(page.getByTestId(testId).locator('.continuation-prompt')).toHaveText(PROMPT);
  }
  await expect(page.getByText('Steered (× 1.0)')).toBeVisible();
  await expect(page.getByTestId('gen-prompt')).toHaveValue(PROMPT);
  await expect(page.getByTestId('steer-coefficient')).toHaveValue('1');
  // The first visit's model finishes loading (or has): the imported continuations stay, nothing re-runs over them.
  await expect(page.getByTestId('generate-run')).toBeEnabled({ timeout: 120_000 });
  await page.waitForTimeout(600); // past the coefficient slider's debounce
  await expect(banner).toBeVisible();
  await expect(page.getByTestId('gen-intervened').locator('.gen-token')).toHaveCount(g.intervened.ids.length);
  await expect(page.getByTestId('generate-stale')).toHaveCount(0);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await shot(page, 'ui-import-generation');

  // The link carries the imported settings (as for imported traces and runs), not the file's numbers.
  const linked = () => {
    const d = decode(new URL(page.url()).hash.replace(/^#e=/, ''));
    return d.ok ? d.value : null;
  };
  await expect.poll(() => linked()?.generate.prompt).toBe(PROMPT);
  expect(linked()!.view).toBe('generate');
  expect(linked()!.generate).toMatchObject({ max_new_tokens: 10, intervene_on: 'both', steer: { kind: 'diff', ...STEER } });

  // An older file: ids and text only, no document: the text, "prompt: N tokens", a note; nothing refused.
  const old = { prompt_ids: g.prompt_ids, original: { ids: g.original.ids, text: g.original.text }, intervened: { ids: g.intervened.ids, text: g.intervened.text } };
  await importFile(page, 'old-generate.json', old);
  await expect(banner).toContainText('old-generate.json');
  await expect(banner).toContainText(`From the file: nothing: the file holds the prompt as ${g.prompt_ids.length} token ids`);
  await expect(page.getByTestId('gen-no-probs')).toBeVisible();
  await expect(page.getByTestId('gen-original')).toContainText(g.original.text!);
  await expect(page.getByTestId('gen-intervened')).toContainText(g.intervened.text!);
  await expect(page.getByTestId('gen-prompt-ids').first()).toHaveText(`prompt: ${g.prompt_ids.length} tokens`);
  await expect(page.getByTestId('import-problem')).toHaveCount(0);
  await shot(page, 'ui-import-generation-plain');

  // Back to live runs: the continuations go, and the settings the import covered come back.
  await page.getByTestId('back-to-live').click();
  await expect(banner).toHaveCount(0);
  await expect(page.getByTestId('gen-original')).toHaveCount(0);
  await expect(page.getByTestId('gen-prompt')).toHaveValue('A prompt of my own');
  expect(errors).toEqual([]);
});
