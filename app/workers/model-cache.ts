// A fetch that keeps model files downloaded from the hub or a URL in Cache Storage, so a reload opens them without
// the network. Used by the engine worker as httpAccess's fetch; "clear cache" empties it. Browser and worker only.

export const MODEL_CACHE = 'patchbay-models-v1';

function cacheStorage(): CacheStorage | undefined {
  return typeof caches === 'undefined' ? undefined : caches;
}

/** fetch wrapped by Cache Storage: hits are answered from the cache; successful misses are stored while streaming. */
export const cachedFetch: typeof fetch = async (input, init) => {
  const store = cacheStorage();
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (!store) return fetch(input, init);
  const cache = await store.open(MODEL_CACHE);
  const hit = await cache.match(url);
  if (hit) return hit;
  const res = await fetch(input, init);
  if (!res.ok || !res.body) return res;
  // Tee the body: one branch goes to the caller (progress), the other into the cache. A cancelled download makes
  // the put fail, so no partial file is ever stored.
  const [forCaller, forCache] = res.body.tee();
  const headers = new Headers(res.headers);
  cache.put(url, new Response(forCache, { status: res.status, statusText: res.statusText, headers })).catch(() => undefined);
  return new Response(forCaller, { status: res.status, statusText: res.statusText, headers });
};

/** Removes every cached model file; returns how many were removed. */
export async function clearModelCache(): Promise<number> {
  const store = cacheStorage();
  if (!store) return 0;
  const cache = await store.open(MODEL_CACHE);
  const keys = await cache.keys();
  // Entry by entry: in Chromium, caches.delete() of the cache that served the open model's files did not resolve
  // for minutes while the worker compiled trace stages in the background (e2e/loading); deleting entries does.
  for (const key of keys) await cache.delete(key);
  return keys.length;
}

/** How many files and bytes the cache holds (bytes from content-length, where present). */
export async function modelCacheUsage(): Promise<{ files: number; bytes: number }> {
  const store = cacheStorage();
  if (!store) return { files: 0, bytes: 0 };
  const cache = await store.open(MODEL_CACHE);
  const keys = await cache.keys();
  let bytes = 0;
  for (const k of keys) bytes += Number((await cache.match(k))?.headers.get('content-length')) || 0;
  return { files: keys.length, bytes };
}
