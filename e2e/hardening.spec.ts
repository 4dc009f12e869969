// Hostile-but-ordinary use in the browser: the security headers (and the app still working under its CSP), framing
// refused, a tampered link, a screen that fails to draw, a garbage file dropped on the page, Cancel in the middle of a
// trace, opening a model while a trace runs, the engine worker dying mid-run. Each leaves a usable app and a message.
import { expect, test, type Page } from '@playwright/test';
import { encode } from '../app/link/codec';
import { defaultExperiment } from '../app/link/schema';
import { appUrl, screen, shot, watchErrors } from './support/app';
import { startHubServer } from './support/hub-server';
import { GPT2_FACTS_DIR, HUB_REPO } from './support/models';

// Model loads and traces under a loaded machine (two cores shared by several test runs) take a while.
test.describe.configure({ timeout: 300_000 });

/** Records CSP violations (events in the page and its workers' console reports). */
async function watchCsp(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text()); });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Refused to load (CSP): ${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));
  });
  return violations;
}

/** Opens a bundled model, or waits for it when the app is already opening it (a first visit opens the default). */
async function openBundled(page: Page, id: string): Promise<void> {
  await screen(page, 'Model');
  const chip = page.getByTestId('model-chip');
  const open = page.getByTestId(`open-${id}`);
  let clicked = false;
  await expect.poll(async () => {
    const label = (await chip.textContent()) ?? '';
    if (label.includes(id) && await page.getByTestId('model-facts').isVisible()) return 'ready';
    if (!clicked && !label.includes('Loading') && await open.isEnabled()) { await open.click(); clicked = true; }
    return label;
  }, { timeout: 180_000, intervals: [500] }).toBe('ready');
}

async function traceSettings(page: Page, samples: number, window: number): Promise<void> {
  await screen(page, 'Causal trace');
  await page.getByRole('spinbutton', { name: 'Samples' }).fill(String(samples));
  await page.getByRole('spinbutton', { name: 'Window' }).fill(String(window));
  await expect(page.getByTestId('answer-picker')).toBeVisible();
}

test('the app is served with CSP, no-framing and nosniff headers, and loads a model and traces under them', async ({ page }) => {
  const errors = watchErrors(page);
  const violations = await watchCsp(page);
  const workerScript = page.waitForResponse((r) => /engine\.worker[^/]*\.js/.test(r.url()));
  const res = await page.goto(appUrl());
  const h = res!.headers();
  expect(h['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(h['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(h['x-frame-options']).toBe('DENY');
  expect(h['x-content-type-options']).toBe('nosniff');
  expect(h['cross-origin-embedder-policy']).toBe('require-corp');
  expect(h['content-security-policy']).not.toContain("'unsafe-eval'");
  await openBundled(page, 'gpt2-facts');
  // The engine worker (no DOM) alone may evaluate code: protobufjs compiles the ONNX schema's decoders.
  expect((await workerScript).headers()['content-security-policy']).toContain("'unsafe-eval'");
  await traceSettings(page, 2, 2);
  await page.getByTestId('trace-run').click();
  await expect(page.getByTestId('heatmap-resid').locator('rect[data-value]').first()).toBeVisible({ timeout: 120_000 });
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  expect(violations).toEqual([]);
  expect(errors).toEqual([]);
});

test('another site cannot frame the app', async ({ page }) => {
  await page.goto('about:blank');
  await page.setContent(`<iframe id="f" src="${appUrl()}" width="800" height="600"></iframe>`);
  await page.waitForTimeout(2000);
  const frame = page.frames().find((f) => f !== page.mainFrame())!;
  expect(await frame.locator('#root').count()).toBe(0);
});

test('a tampered link nesting 2,000 levels deep explains itself; the app stays usable', async ({ page }) => {
  const errors = watchErrors(page);
  let deep: unknown = 6;
  for (let i = 0; i < 2000; i++) deep = [deep];
  const e = { ...defaultExperiment(), view: 'intervene' as const };
  e.intervention = { ...e.intervention, unit_locations: { 'sources->base': deep } };
  await page.goto(appUrl(`e=${encode(e)}`));
  await expect(page.getByTestId('link-error')).toContainText(/nests 2003 levels deep/);
  await page.reload(); // it used to stay blank on every reload
  await screen(page, 'Interventions');
  await expect(page.getByRole('heading', { name: 'Interventions' })).toBeVisible();
  // A link naming a bundled model that does not exist says so (it used to read "Unexpected token '<'").
  await page.goto(appUrl(`e=${encode({ ...defaultExperiment(), view: 'model', model: { kind: 'bundled', id: 'no-such-model' } })}`));
  await expect(page.locator('.error-note')).toContainText('"no-such-model" is not one of the bundled models (gpt2-facts');
  expect(errors).toEqual([]);
});

test('a screen that fails to draw shows a message; the header, other screens and the experiment stay', async ({ page }) => {
  // Make the JSON view fail on one marked document while it draws, as a bug in a screen would.
  await page.addInitScript(() => {
    const original = Object.entries;
    Object.entries = ((value: object) => {
      if (value && typeof value === 'object' && '__crash_test__' in value) throw new Error('boom in the JSON view');
      return original(value);
    }) as typeof Object.entries;
  });
  const e = { ...defaultExperiment(), view: 'intervene' as const };
  e.intervention = { ...e.intervention, __crash_test__: 1 };
  e.trace = { ...e.trace, prompt: 'Big Ben is in the city of' };
  await page.goto(appUrl(`e=${encode(e)}`));
  const crash = page.getByTestId('crash');
  await expect(crash).toContainText('The Interventions screen could not be shown');
  await expect(crash).toContainText('boom in the JSON view');
  await shot(page, 'ui-crash');
  await screen(page, 'Causal trace');
  await expect(page.getByTestId('trace-prompt')).toHaveValue('Big Ben is in the city of');
  await screen(page, 'Interventions');
  await page.getByRole('button', { name: "Reset this screen's settings" }).click();
  await expect(page.getByTestId('crash')).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Interventions' })).toBeVisible();
});

test('a garbage file dropped anywhere on the page is refused clearly; the loaded model keeps working', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(appUrl());
  await openBundled(page, 'gpt2-facts');
  await screen(page, 'Causal trace');
  const drop = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    const junk = new Uint8Array(4096).map((_, i) => (i * 7919) % 251);
    dt.items.add(new File([junk], 'model.onnx', { type: 'application/octet-stream' }));
    return dt;
  });
  await page.locator('main').dispatchEvent('drop', { dataTransfer: drop });
  const note = page.locator('.error-note');
  await expect(note).toContainText('still loaded', { timeout: 60_000 });
  await expect(note).toContainText(/MODEL_/);
  expect(page.url()).toContain(new URL(appUrl()).host);
  await expect(page.getByTestId('model-chip')).toContainText('gpt2-facts');
  await shot(page, 'ui-garbage-drop');
  await traceSettings(page, 2, 2);
  await page.getByTestId('trace-run').click();
  await expect(page.getByTestId('heatmap-resid').locator('rect[data-value]').first()).toBeVisible({ timeout: 120_000 });
  expect(errors).toEqual([]);
});

test('Cancel stops a trace within a second; opening another model stops a running trace and says so', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(appUrl());
  await openBundled(page, 'gpt2-facts');
  await traceSettings(page, 2, 2);
  let t = Date.now();
  await page.getByTestId('trace-run').click();
  await expect(page.getByTestId('heatmap-resid').locator('rect[data-value]').first()).toBeVisible({ timeout: 60_000 });
  const idle = Date.now() - t;
  await traceSettings(page, 200, 10);
  await page.getByTestId('trace-run').click();
  const cancel = page.getByTestId('trace').getByRole('button', { name: 'Cancel' });
  await expect(cancel).toBeVisible();
  await page.waitForTimeout(1500);
  await page.getByRole('spinbutton', { name: 'Samples' }).fill('2');
  await page.getByRole('spinbutton', { name: 'Window' }).fill('2');
  t = Date.now();
  await cancel.click();
  await expect(page.getByTestId('cancelled')).toBeVisible();
  // The worker lets go within a second: the short trace takes hardly longer than on an idle worker.
  await page.getByTestId('trace-run').click();
  await expect(page.getByTestId('heatmap-resid').locator('rect[data-value]').first()).toBeVisible({ timeout: 60_000 });
  const afterCancel = Date.now() - t;
  console.log(`short trace: ${idle} ms on an idle worker, ${afterCancel} ms right after Cancel`);
  expect(afterCancel).toBeLessThan(idle + 1500);

  await traceSettings(page, 200, 10);
  await page.getByTestId('trace-run').click();
  await expect(page.getByTestId('trace').getByRole('button', { name: 'Cancel' })).toBeVisible();
  await page.waitForTimeout(1000);
  await openBundled(page, 'pythia-facts');
  await screen(page, 'Causal trace');
  await expect(page.getByTestId('cancelled')).toContainText('another model');
  expect(errors).toEqual([]);
});

test('an "Always allow" approval is listed on the Model screen and can be revoked; the link then asks again', async ({ page }) => {
  const hub = await startHubServer({ [HUB_REPO]: GPT2_FACTS_DIR });
  try {
    const url = `${hub.url}/${HUB_REPO}/resolve/main`;
    const link = appUrl(`e=${encode({ ...defaultExperiment(), view: 'model', model: { kind: 'url', url, variant: 'fp32' } })}`);
    await page.goto(link);
    await page.getByTestId('approval').getByRole('button', { name: 'Always allow this site' }).click();
    await expect(page.getByTestId('model-facts')).toBeVisible({ timeout: 60_000 });
    const origin = new URL(hub.url).origin;
    await expect(page.getByTestId('approved-sites')).toContainText(origin);
    await expect(page.getByTestId('approved-sites')).toContainText('always');
    await shot(page, 'ui-approved-sites');
    await page.getByRole('button', { name: `Revoke ${origin}` }).click();
    await expect(page.getByTestId('approved-none')).toBeVisible();
    expect(await page.evaluate(() => localStorage.getItem('patchbay.approvedOrigins'))).toBe('[]');
    const before = hub.requests.get(`/${HUB_REPO}/resolve/main/onnx/model.onnx`);
    await page.goto('about:blank');
    await page.goto(link);
    await expect(page.getByTestId('approval')).toContainText(new URL(hub.url).host);
    await page.waitForTimeout(500);
    expect(hub.requests.get(`/${HUB_REPO}/resolve/main/onnx/model.onnx`)).toBe(before);
  } finally {
    await hub.close();
  }
});

test('a worker killed in the middle of a trace is restarted: the user is told, the model reopens, the experiment stays', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(appUrl());
  await openBundled(page, 'gpt2-facts');
  await traceSettings(page, 200, 10);
  await page.getByTestId('trace-prompt').fill('The Colosseum is located in the city of');
  await page.getByTestId('trace-subject').fill('Colosseum');
  await page.getByTestId('trace-run').click();
  await expect(page.getByTestId('trace').getByRole('button', { name: 'Cancel' })).toBeVisible();
  await page.waitForTimeout(1000);
  const engine = page.workers().find((w) => /engine\.worker/.test(w.url()));
  expect(engine, page.workers().map((w) => w.url()).join(', ')).toBeDefined();
  await engine!.evaluate(() => (self as unknown as { close: () => void }).close()); // as if killed for memory
  const note = page.getByTestId('trace').locator('.error-note');
  await expect(note).toContainText('the engine stopped in the middle of this');
  await expect(note).toContainText('WORKER_CRASHED');
  await shot(page, 'ui-worker-died');
  await expect(page.getByTestId('model-chip')).toContainText('gpt2-facts', { timeout: 60_000 });
  await expect(page.getByTestId('trace-prompt')).toHaveValue('The Colosseum is located in the city of');
  await page.getByRole('spinbutton', { name: 'Samples' }).fill('2');
  await page.getByRole('spinbutton', { name: 'Window' }).fill('2');
  await page.getByTestId('trace-run').click();
  await expect(page.getByTestId('heatmap-resid').locator('rect[data-value]').first()).toBeVisible({ timeout: 120_000 });
  expect(errors).toEqual([]);
});
