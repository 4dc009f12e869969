// Models over HTTP when things go wrong: a server that answers unknown paths with its index.html (as `vite preview`
// and static hosts do for an unknown bundled model id) is "not found", not "Unexpected token '<'"; an unreachable
// server names the cause (connection refused), not just "fetch failed".
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatchbayError } from '../errors.js';
import { fetchModelFiles } from '../model/fetch-model-files.js';
import { fetchFailure, httpAccess } from './http-access.js';

async function failure(p: Promise<unknown>): Promise<PatchbayError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PatchbayError) return e;
    throw e;
  }
  throw new Error('expected a PatchbayError');
}

describe('httpAccess failures', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><body><div id="root"></div></body></html>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('treats a web page served for a model file as missing: MODEL_NOT_FOUND naming what was tried', async () => {
    const e = await failure(fetchModelFiles(httpAccess(`${base}/models/no-such-model`), 'no-such-model'));
    expect(e.code).toBe('MODEL_NOT_FOUND');
    expect(e.message).toMatch(/^no ONNX graph in http:\/\/127\.0\.0\.1:\d+\/models\/no-such-model: tried onnx\/model\.onnx/);
    expect(e.message).not.toMatch(/Unexpected token/);
  });

  it('names the cause of an unreachable server', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = await failure(httpAccess(`http://127.0.0.1:${port}`).read('onnx/model.onnx'));
    expect(e.code).toBe('MODEL_FETCH_FAILED');
    expect(e.message).toMatch(/^could not fetch http:\/\/127\.0\.0\.1:\d+\/onnx\/model\.onnx: fetch failed \(ECONNREFUSED\)$/);
  });

  it('explains a browser\'s bare "Failed to fetch"', () => {
    expect(fetchFailure(new TypeError('Failed to fetch'))).toMatch(/unreachable, the address is wrong, or it does not allow downloads from other sites \(CORS\)/);
  });
});
