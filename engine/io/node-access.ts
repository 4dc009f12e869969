// FileAccess over a folder on disk (Node only: the CLI and the tests; the browser bundle never imports this file).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileAccess } from './file-access.js';

export function folderAccess(dir: string): FileAccess {
  return {
    describe: `folder ${dir}`,
    async read(path, options) {
      try {
        const buf = await readFile(join(dir, path), { signal: options?.signal });
        options?.onProgress?.({ status: 'done', file: path, bytes: buf.length });
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
        throw e;
      }
    },
  };
}
