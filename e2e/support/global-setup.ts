// Builds the app once (skip with E2E_SKIP_BUILD=1) and serves dist/ with `vite preview` on a free port, cross-origin
// isolated like `npm start`. Tests read the URL from PATCHBAY_URL. Returns the teardown.
import { build, preview } from 'vite';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { mkdirSync } from 'node:fs';

export const ROOT = resolve(import.meta.dirname, '../..');

export default async function globalSetup(): Promise<() => Promise<void>> {
  mkdirSync(resolve(ROOT, 'e2e/artifacts'), { recursive: true });
  if (process.env.E2E_SKIP_BUILD !== '1') await build({ root: ROOT, logLevel: 'warn' });
  const server = await preview({ root: ROOT, logLevel: 'warn', preview: { port: 0, host: '127.0.0.1', strictPort: false } });
  const { port } = server.httpServer.address() as AddressInfo;
  process.env.PATCHBAY_URL = `http://127.0.0.1:${port}/`;
  return async () => {
    await new Promise<void>((done) => server.httpServer.close(() => done()));
  };
}
