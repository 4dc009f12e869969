// A local stand-in for the Hugging Face hub: serves a model folder as /<owner>/<repo>/resolve/main/<file>, with CORS
// (the app is another origin), a content-length, and a slowed-down body so download progress can be watched. It
// counts requests per path, so tests can tell a cached reload from a download.
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';

export interface HubServer {
  url: string;
  requests: Map<string, number>;
  close: () => Promise<void>;
}

/** repos: repo id → folder on disk. chunkDelayMs slows each 64 KB chunk of large files. */
export async function startHubServer(repos: Record<string, string>, chunkDelayMs = 15): Promise<HubServer> {
  const requests = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '').split('?')[0]!);
    requests.set(path, (requests.get(path) ?? 0) + 1);
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    const m = /^\/([\w.-]+\/[\w.-]+)\/resolve\/main\/(.+)$/.exec(path);
    const root = m ? repos[m[1]!] : undefined;
    const file = root ? normalize(join(root, m![2]!)) : '';
    if (!root || !file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory()) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    const body = readFileSync(file);
    res.setHeader('Content-Length', body.length);
    res.setHeader('Content-Type', 'application/octet-stream');
    if (body.length < 256 * 1024) {
      res.end(body);
      return;
    }
    let at = 0;
    const next = () => {
      if (at >= body.length) return res.end();
      res.write(body.subarray(at, at + 65536));
      at += 65536;
      setTimeout(next, chunkDelayMs);
    };
    next();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
