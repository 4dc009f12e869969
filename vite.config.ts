// Vite build and dev/preview servers for the Patchbay app (app/, index.html). Serves cross-origin isolated pages
// (wasm threads), keeps onnxruntime-web in its own chunk, and serves ORT's .wasm from our own origin under /ort/.
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { securityHeaders, workerCsp, WORKER_SCRIPT, type ServeMode } from './tools/security-headers';
import type { IncomingMessage, ServerResponse } from 'node:http';

const ORT_DIST = resolve(import.meta.dirname, 'node_modules/onnxruntime-web/dist');
/** What onnxruntime-web loads from ort.env.wasm.wasmPaths: the wasm binary and its Emscripten glue (which also starts
 *  ORT's thread workers), for the wasm-only build (the wasm provider) and the JSEP build (WebGPU). */
const ORT_FILES = ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.jsep.wasm', 'ort-wasm-simd-threaded.jsep.mjs'];

/** Cross-origin isolation (wasm threads) and the security headers (CSP, no framing, nosniff): docs/security.md. */
const devHeaders = securityHeaders('dev');
const prodHeaders = securityHeaders('prod');

/** Serves /ort/<file> from node_modules in dev and copies the files into dist/ort/ at build. */
function ortWasm(): Plugin {
  return {
    name: 'patchbay-ort-wasm',
    configureServer(server) {
      server.middlewares.use('/ort/', (req, res, next) => {
        const file = (req.url ?? '').replace(/^\/+/, '').split('?')[0]!;
        if (!ORT_FILES.includes(file)) return next();
        // This middleware runs before Vite's own, which add server.headers: ORT's thread workers start from the .mjs,
        // and a worker without COEP is not cross-origin isolated (it never gets the shared memory, and hangs).
        // A worker's CSP is the one its script is served with, so these carry the security headers too.
        for (const [k, v] of Object.entries(devHeaders)) res.setHeader(k, v);
        res.setHeader('Content-Type', file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        createReadStream(resolve(ORT_DIST, file)).pipe(res);
      });
    },
    generateBundle() {
      for (const file of ORT_FILES) {
        const path = resolve(ORT_DIST, file);
        if (existsSync(path)) this.emitFile({ type: 'asset', fileName: `ort/${file}`, source: readFileSync(path) });
      }
    },
  };
}

/** In the worker build: drops the hashed copy of the wasm that Vite emits for ORT's `new URL('….wasm', import.meta.url)`
 *  fallback. We set ort.env.wasm.wasmPaths to /ort/, so that copy would be 28 MB that is never fetched. */
function dropOrtAssetCopy(): Plugin {
  return {
    name: 'patchbay-drop-ort-asset-copy',
    generateBundle(_options, bundle) {
      for (const key of Object.keys(bundle)) if (/(^|\/)assets\/ort-wasm-[^/]*\.wasm$/.test(key)) delete bundle[key];
    },
  };
}

/** Worker scripts carry the worker CSP (see tools/security-headers.ts): a dedicated worker's CSP is the one its
 *  script is served with. Vite's own header middleware runs after this one, so its CSP is swapped on the way out. */
function workerScriptCsp(): Plugin {
  const handler = (mode: ServeMode) => (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    if (WORKER_SCRIPT.test((req.url ?? '').replace(/^\/+/, ''))) {
      const set = res.setHeader.bind(res);
      res.setHeader = (name, value) => set(name, name.toLowerCase() === 'content-security-policy' ? workerCsp(mode) : value);
    }
    next();
  };
  return {
    name: 'patchbay-worker-csp',
    configureServer(server) { server.middlewares.use(handler('dev')); },
    configurePreviewServer(server) { server.middlewares.use(handler('prod')); },
  };
}

/** onnxruntime-web in a chunk of its own: its thread workers re-import the chunk that contains it. */
const ortChunk = { codeSplitting: { groups: [{ name: 'ort', test: /node_modules[\\/]onnxruntime-(web|common)/ }] } };

export default defineConfig({
  plugins: [workerScriptCsp(), react(), ortWasm()],
  server: { headers: devHeaders },
  preview: { headers: prodHeaders },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  // bundlerTimings: the worker's import.meta.url transform is slow (ORT is large) and says so on every build.
  build: { target: 'es2022', chunkSizeWarningLimit: 2000, rolldownOptions: { output: ortChunk, checks: { bundlerTimings: false } } },
  worker: { format: 'es', plugins: () => [dropOrtAssetCopy()], rolldownOptions: { output: ortChunk } },
});
