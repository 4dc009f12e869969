// FileAccess over HTTP(S) with fetch: streams the body to report progress, and honours an AbortSignal.
// Works in browsers, workers and Node (global fetch). Caching is the caller's (the app wraps fetch with Cache Storage).
import { PatchbayError } from '../errors.js';
import type { FileAccess, LoadProgress } from './file-access.js';

export function httpAccess(baseUrl: string, fetchImpl: typeof fetch = fetch): FileAccess {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    describe: base,
    async read(path, options) {
      const url = `${base}/${path}`;
      let res: Response;
      try {
        res = await fetchImpl(url, { signal: options?.signal });
      } catch (e) {
        if (options?.signal?.aborted) throw new PatchbayError('ABORTED', 'the download was cancelled');
        throw new PatchbayError('MODEL_FETCH_FAILED', `could not fetch ${url}: ${fetchFailure(e)}`);
      }
      if (res.status === 404) return undefined;
      if (!res.ok) throw new PatchbayError('MODEL_FETCH_FAILED', `fetching ${url} gave HTTP ${res.status} ${res.statusText}`);
      // A single-page-app server answers every unknown path with its index.html (status 200): that file is missing.
      if (/^text\/html/i.test(res.headers.get('content-type') ?? '')) return undefined;
      return readBody(res, path, options?.onProgress);
    },
  };
}

async function readBody(res: Response, file: string, onProgress?: (p: LoadProgress) => void): Promise<Uint8Array> {
  const total = Number(res.headers.get('content-length')) || undefined;
  onProgress?.({ status: 'initiate', file, total }); // before any allocation: a size guard may refuse here
  if (!res.body) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    onProgress?.({ status: 'done', file, bytes: bytes.length });
    return bytes;
  }
  const reader = res.body.getReader();
  // Fill one buffer when the size is known: a 500 MB model must not be held twice while it downloads.
  let buffer = new Uint8Array(total ?? 1 << 20);
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.length > buffer.length) {
      const bigger = new Uint8Array(Math.max(buffer.length * 2, loaded + value.length));
      bigger.set(buffer.subarray(0, loaded));
      buffer = bigger;
    }
    buffer.set(value, loaded);
    loaded += value.length;
    onProgress?.({ status: 'progress', file, loaded, total });
  }
  onProgress?.({ status: 'done', file, bytes: loaded });
  return loaded === buffer.length ? buffer : buffer.slice(0, loaded);
}

/** Why a fetch failed, with the cause Node keeps in `cause` (ECONNREFUSED, ENOTFOUND, a certificate problem…); a
 *  browser says only "Failed to fetch", so the likely reasons are named. */
export function fetchFailure(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  if (cause) return `${err.message} (${cause})`;
  if (/failed to fetch|networkerror|load failed/i.test(err.message ?? '')) {
    return `${err.message}: the server is unreachable, the address is wrong, or it does not allow downloads from other sites (CORS)`;
  }
  return err.message ?? String(e);
}
