// `npm run bench:ui [-- --dist DIR] [--runs 3] [--pause S] [--shot DIR]`: how fast the workbench answers in this machine's
// Chromium (wasm, no WebGPU): page load → default model open → quick-start click (at once, or after a reader's pause
// of S seconds) → first trace drawn, then a re-trace after editing the prompt. --dist serves a build made earlier
// (to compare two builds under the same load). Builds the app into a temporary folder, serves it like `npm start` (cross-origin isolated), drives
// /usr/bin/chromium with Playwright. Not a test: prints the numbers (docs/benchmarks.md).
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { build, preview } from 'vite';
import { chromium, type Page } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : '3');
const shotDir = args.includes('--shot') ? args[args.indexOf('--shot') + 1]! : null;
const pause = Number(args.includes('--pause') ? args[args.indexOf('--pause') + 1] : '0');
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
const EDITED = { prompt: 'The Colosseum is located in the city of', subject: 'Colosseum' };
/** The quick start's model (the catalog's first transformer, gpt2-facts) and its depth: a heatmap has tokens × layers cells. */
const LAYERS = (JSON.parse(readFileSync(join(ROOT, 'public/models/gpt2-facts/patchbay.json'), 'utf8')) as { facts: { layers: number } }).facts.layers;

const dist = args.includes('--dist') ? resolve(args[args.indexOf('--dist') + 1]!) : null;
const outDir = dist ?? mkdtempSync(join(tmpdir(), 'patchbay-bench-ui-'));
const loadBefore = loadavg();
if (!dist) await build({ root: ROOT, logLevel: 'warn', build: { outDir } });
const server = await preview({ root: ROOT, logLevel: 'warn', build: { outDir }, preview: { port: 0, host: '127.0.0.1', strictPort: false } });
const url = `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}/`;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });

/** Waits until the trace's heatmaps hold `cells` cells each and the run has finished; returns the page's clock. */
async function drawn(page: Page, cells: number): Promise<number> {
  const handle = await page.waitForFunction((n) => {
    const maps = ['heatmap-resid', 'heatmap-mlp', 'heatmap-attn'].map((id) => document.querySelector(`[data-testid="${id}"]`));
    const done = document.querySelector('[data-testid="trace-run"]') && !document.querySelector('[data-testid="trace-stale"]');
    return done && maps.every((m) => m && m.querySelectorAll('rect[data-value]').length === n) ? performance.now() : null;
  }, cells, { timeout: 120_000, polling: 'raf' });
  return (await handle.jsonValue()) as number;
}

async function tokens(page: Page): Promise<number> {
  await page.getByTestId('trace-tokens').waitFor({ timeout: 120_000 });
  return page.getByTestId('trace-tokens').locator('[data-pos]').count();
}

const results: Record<string, number>[] = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(url);
  if (shotDir && i === 0) await page.waitForTimeout(300).then(() => page.screenshot({ path: join(shotDir, 'bench-ui-start.png') }));
  const ready = await (await page.waitForFunction(() => (document.querySelector('[data-testid="quick-trace-state"]')?.textContent ?? '').endsWith('is open')
    ? performance.now() : null, null, { timeout: 120_000, polling: 'raf' })).jsonValue() as number;
  if (pause > 0) await page.waitForTimeout(pause * 1000);
  const clicked = await page.evaluate(() => performance.now());
  await page.getByTestId('quick-trace').click();
  const first = await drawn(page, (await tokens(page)) * LAYERS);
  if (shotDir && i === 0) await page.screenshot({ path: join(shotDir, 'bench-ui-trace.png'), fullPage: true });
  await page.getByTestId('trace-prompt').fill(EDITED.prompt);
  await page.getByTestId('trace-subject').fill(EDITED.subject);
  // the token strip follows the prompt once its next-token preview has answered (chips: position + token text)
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="trace-tokens"] [data-pos]')]
    .map((c) => c.lastChild?.textContent ?? '').join('').includes('osseum'), null, { timeout: 120_000 });
  const n = await tokens(page);
  const start = await page.evaluate(() => performance.now());
  await page.getByTestId('trace-run').click();
  const again = await drawn(page, n * LAYERS);
  // load → trace leaves out the reader's pause (the page's own time only)
  results.push({ model_ready_s: ready / 1000, click_to_trace_s: (first - clicked) / 1000, load_to_trace_s: (first - pause * 1000) / 1000, retrace_s: (again - start) / 1000 });
  console.error(`run ${i + 1}: ${JSON.stringify(results.at(-1))}`);
  await context.close();
}
await browser.close();
await new Promise<void>((done) => server.httpServer.close(() => done()));
const median = (k: string) => results.map((r) => r[k]!).sort((a, b) => a - b)[Math.floor(results.length / 2)]!;
console.log(JSON.stringify({
  url, pause_s: pause, runs: results, median: Object.fromEntries(Object.keys(results[0]!).map((k) => [k, median(k)])),
  /** Other processes compete for the cores: the 1/5/15-minute load averages before and after. */
  load_average: { before: loadBefore, after: loadavg() },
}, null, 2));
