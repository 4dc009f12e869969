// DAS trains in headless Chromium (onnxruntime-web, wasm) exactly as in Node: the same seed gives the same training
// losses (tolerance 1e-3: wasm and the native CPU kernels sum in different orders), so the generated backward graph
// and the training loop run unchanged in a browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import { chromium, type Browser } from 'playwright-core';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { BUNDLED_DIR, REPO_ROOT, nodeOpenOptions, nodeResolver } from '../engine/load/node-resolver.js';
import { openModel } from '../engine/load/open-model.js';
import { configureRuntime, runtimeSettings } from '../engine/runtime/ort-runtime.js';
import { gridCells, tokenizePairs } from '../engine/training/das-grid.js';
import { trainDas } from '../engine/training/das.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PAIRS = JSON.parse(readFileSync(join(REPO_ROOT, 'docs/das/pythia-facts-pronoun-pairs.json'), 'utf8')) as unknown[];
const OPTS = { layers: [0, 3], positions: 'last' as const, pairs: 40, steps: 3, batchSize: 8, seed: 2 };

let server: ViteDevServer;
let browser: Browser;
let url: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  server = await createServer({
    configFile: false,
    root: join(REPO_ROOT, 'e2e/das-harness'),
    logLevel: 'error',
    server: { port: 0, host: '127.0.0.1', fs: { allow: [REPO_ROOT] } },
    optimizeDeps: { exclude: ['onnxruntime-web'] },
    plugins: [{
      name: 'bundled',
      configureServer(s) {
        s.middlewares.use('/bundled', (req, res) => {
          const file = join(BUNDLED_DIR, decodeURIComponent(req.url ?? '').replace(/\.\./g, ''));
          if (!existsSync(file)) { res.statusCode = 404; res.end(); return; }
          createReadStream(file).pipe(res);
        });
      },
    }],
  });
  await server.listen();
  url = `http://127.0.0.1:${(server.httpServer!.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('DAS in Chromium', () => {
  it('gives the same training losses as in Node', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
    const inBrowser = await page.evaluate(([pairs, opts]) => window.patchbayDas('/bundled/pythia-facts/', pairs, opts), [PAIRS, OPTS] as const);
    configureRuntime({ provider: 'wasm', numThreads: 1, runtime: runtimeSettings().runtime });
    const model = await openModel('pythia-facts', nodeResolver, nodeOpenOptions());
    const pairs = tokenizePairs(model, PAIRS).slice(0, OPTS.pairs);
    const inNode = await trainDas(model, gridCells(model, pairs, OPTS.layers, OPTS.positions), pairs, OPTS);
    expect(inBrowser.losses).toHaveLength(2);
    inNode.forEach((cell, c) => cell.losses.forEach((l, s) => expect(Math.abs(inBrowser.losses[c]![s]! - l)).toBeLessThan(1e-3)));
    expect(inBrowser.msPerStep).toBeGreaterThan(0);
    await page.close();
  }, 300_000);
});
