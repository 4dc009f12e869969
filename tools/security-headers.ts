// The HTTP headers every Patchbay page and script is served with: cross-origin isolation (wasm threads) and the
// security headers (CSP, no framing, no sniffing). One table for `npm run dev`, `npm start` (vite preview) and the
// static deployment's public/_headers (a test keeps that file equal to renderHeadersFile()). See docs/security.md.

/** Where model files may be downloaded from. Approvals are per origin and decided at run time in the app
 *  (app/state/approvals.ts), which a static header cannot list: the CSP therefore allows any https origin (plus
 *  loopback http for local model servers) and the app's approval gate decides which of them is actually fetched. */
const MODEL_DOWNLOADS = ['https:', 'http://localhost:*', 'http://127.0.0.1:*'];

export type ServeMode = 'dev' | 'prod';

/** The page's CSP. Workers get workerCsp(): they have no DOM to inject into, and protobufjs (the ONNX decoder in
 *  the engine worker) compiles its decoders from the fixed ONNX schema with `new Function`, which needs 'unsafe-eval'. */
export function pageCsp(mode: ServeMode): string {
  return csp(mode, false);
}

export function workerCsp(mode: ServeMode): string {
  return csp(mode, true);
}

function csp(mode: ServeMode, worker: boolean): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    // 'wasm-unsafe-eval': compiling onnxruntime's WebAssembly. No 'unsafe-eval', no inline scripts in the build;
    // the dev server injects React's hot-reload preamble inline, so dev alone allows 'unsafe-inline'.
    'script-src': ["'self'", "'wasm-unsafe-eval'", ...(worker ? ["'unsafe-eval'"] : []), ...(mode === 'dev' ? ["'unsafe-inline'"] : [])],
    // The engine's module worker and onnxruntime's thread workers are scripts of our origin; blob: for runtimes
    // that start workers from object URLs.
    'worker-src': ["'self'", 'blob:'],
    'connect-src': ["'self'", 'blob:', 'data:', ...MODEL_DOWNLOADS, ...(mode === 'dev' ? ['ws:'] : [])],
    // The build's CSS is a file, and React and d3 set styles through the CSSOM (which CSP allows); the dev
    // server injects CSS as <style> elements, so dev alone allows 'unsafe-inline'.
    'style-src': ["'self'", ...(mode === 'dev' ? ["'unsafe-inline'"] : [])],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-src': ["'none'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives).map(([k, v]) => `${k} ${v.join(' ')}`).join('; ');
}

/** Cross-origin isolation: SharedArrayBuffer for onnxruntime's wasm threads. */
export const ISOLATION_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Headers for every response except the CSP, which depends on what is served (page or worker script). */
export const COMMON_HEADERS: Record<string, string> = {
  ...ISOLATION_HEADERS,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

/** All headers of a page (dev server, vite preview); worker scripts get the same with workerCsp() instead. */
export function securityHeaders(mode: ServeMode): Record<string, string> {
  return { ...COMMON_HEADERS, 'Content-Security-Policy': pageCsp(mode) };
}

/** Scripts that start workers: the engine worker's chunk (dev: its source module) and onnxruntime's thread glue. */
export const WORKER_SCRIPT = /(^|\/)(assets\/engine\.worker[^/]*\.js|app\/workers\/engine\.worker\.ts|ort\/[^/]+\.mjs)(\?|$)/;

/** public/_headers (Netlify / Cloudflare Pages format). The CSP goes on the page paths and on the script folders
 *  separately, because hosts merge the headers of all rules that match a path (two CSPs would both apply). */
export function renderHeadersFile(): string {
  const block = (path: string, h: Record<string, string>) => `${path}\n${Object.entries(h).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`;
  const page = { 'Content-Security-Policy': pageCsp('prod') };
  const worker = { 'Content-Security-Policy': workerCsp('prod') };
  return [
    '# Generated from tools/security-headers.ts (see docs/security.md); keep equal (a test checks).\n',
    block('/*', COMMON_HEADERS), block('/', page), block('/index.html', page), block('/assets/*', worker), block('/ort/*', worker),
  ].join('');
}
