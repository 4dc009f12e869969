import { defineConfig } from 'vitest/config';

// Unit and integration tests (Node, wasm backend). Browser tests live in e2e/ and run through Playwright.
export default defineConfig({
  test: {
    include: ['engine/**/*.test.ts', 'bin/**/*.test.ts', 'app/**/*.test.ts', 'tools/**/*.test.ts', 'e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
