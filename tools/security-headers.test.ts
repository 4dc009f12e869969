// The security headers: the static deployment's public/_headers equals the table vite serves, and the CSP says
// what docs/security.md promises (no framing, no inline or foreign scripts, wasm allowed, no plugins).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pageCsp, renderHeadersFile, securityHeaders, WORKER_SCRIPT, workerCsp } from './security-headers';

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]));
}

describe('security headers', () => {
  it('public/_headers is generated from the same table (regenerate it when the table changes)', () => {
    expect(readFileSync(resolve(import.meta.dirname, '../public/_headers'), 'utf8')).toBe(renderHeadersFile());
  });

  it('forbids framing, sniffing, inline scripts and plugins in the build, and keeps cross-origin isolation', () => {
    const h = securityHeaders('prod');
    expect(h['X-Frame-Options']).toBe('DENY');
    expect(h['X-Content-Type-Options']).toBe('nosniff');
    expect(h['Cross-Origin-Embedder-Policy']).toBe('require-corp');
    expect(h['Cross-Origin-Opener-Policy']).toBe('same-origin');
    const d = directives(h['Content-Security-Policy']!);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(d.get('style-src')).toEqual(["'self'"]);
    expect(d.get('connect-src')).toContain('https:');
    expect(d.get('connect-src')).not.toContain('http:');
    expect(d.get('connect-src')).not.toContain('*');
  });

  it('relaxes only what the dev server needs (inline preamble, injected CSS, hot-reload socket)', () => {
    const dev = directives(securityHeaders('dev')['Content-Security-Policy']!);
    const prod = directives(securityHeaders('prod')['Content-Security-Policy']!);
    const extra = (k: string) => dev.get(k)!.filter((v) => !prod.get(k)!.includes(v));
    expect(extra('script-src')).toEqual(["'unsafe-inline'"]);
    expect(extra('style-src')).toEqual(["'unsafe-inline'"]);
    expect(extra('connect-src')).toEqual(['ws:']);
    expect(dev.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('gives worker scripts the page CSP plus only \'unsafe-eval\' (protobufjs), and knows which scripts are workers', () => {
    const page = directives(pageCsp('prod'));
    const worker = directives(workerCsp('prod'));
    expect(worker.get('script-src')!.filter((v) => !page.get('script-src')!.includes(v))).toEqual(["'unsafe-eval'"]);
    for (const [k, v] of page) if (k !== 'script-src') expect(worker.get(k)).toEqual(v);
    for (const url of ['assets/engine.worker-C79DreJ8.js', '/assets/engine.worker-x.js?v=1', 'app/workers/engine.worker.ts?worker_file&type=module', 'ort/ort-wasm-simd-threaded.jsep.mjs']) {
      expect(WORKER_SCRIPT.test(url), url).toBe(true);
    }
    for (const url of ['index.html', '', 'assets/index-D_ftOFuE.js', 'assets/ort-CvpblNcY.js', 'models/gpt2-facts/onnx/model.onnx']) {
      expect(WORKER_SCRIPT.test(url), url).toBe(false);
    }
  });
});
