// Playwright configuration for Patchbay's browser tests: Debian's Chromium (never a downloaded browser), one worker
// (the machine has two cores and the engine uses both), a global setup that builds the app and serves it on free
// ports together with a hub-like model server. Run with `npm run test:e2e`.
import { defineConfig } from '@playwright/test';

export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'];

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../test-results',
  globalSetup: './support/global-setup.ts',
  workers: 1,
  fullyParallel: false,
  timeout: 180_000,
  expect: { timeout: 60_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_FLAGS },
    viewport: { width: 1400, height: 900 },
    actionTimeout: 30_000,
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});
