import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { FileAccess } from '../io/file-access.js';
import { TESTDATA, readBytes } from '../test-support/fixtures.js';
import { fetchModelFiles } from './fetch-model-files.js';

const GRAPH = readBytes(join(TESTDATA, 'generated/tiny-gpt2/model.onnx'));

/** An access that logs when each read starts and ends; the graph arrives only when released. */
function slowGraph(files: Record<string, Uint8Array>) {
  const log: string[] = [];
  let release!: () => void;
  const graphArrives = new Promise<void>((r) => { release = r; });
  const access: FileAccess = {
    describe: 'test files',
    async read(path) {
      log.push(`start ${path}`);
      if (path === 'onnx/model.onnx') await graphArrives;
      log.push(`end ${path}`);
      return files[path];
    },
  };
  return { access, log, release };
}

describe('fetchModelFiles', () => {
  it('asks for the JSON files beside a graph in onnx/ while the graph downloads, and returns them', async () => {
    const config = new TextEncoder().encode('{"model_type": "gpt2"}');
    const { access, log, release } = slowGraph({ 'onnx/model.onnx': GRAPH, 'config.json': config });
    const files = fetchModelFiles(access, 'm', { modelFile: 'onnx/model.onnx' });
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toContain('end config.json'); // read before the graph arrived
    expect(log).not.toContain('end onnx/model.onnx');
    release();
    const got = await files;
    expect(got.config).toEqual({ model_type: 'gpt2' });
    expect(got.tokenizer).toBeUndefined();
  });

  it('reads the JSON beside a graph in another folder first, then at the root, once the graph is found', async () => {
    const { access, log } = slowGraph({ 'sub/model.onnx': GRAPH, 'sub/config.json': new TextEncoder().encode('{"a": 1}') });
    const got = await fetchModelFiles(access, 'm', { modelFile: 'sub/model.onnx' });
    expect(got.config).toEqual({ a: 1 });
    expect(log.indexOf('start sub/config.json')).toBeGreaterThan(log.indexOf('end sub/model.onnx'));
    expect(log).toContain('start tokenizer.json'); // not beside the graph: looked for at the root
  });

  it('a bad JSON file is reported after the graph, naming the file', async () => {
    const { access, release } = slowGraph({ 'onnx/model.onnx': GRAPH, 'tokenizer.json': new TextEncoder().encode('{oops') });
    const files = fetchModelFiles(access, 'm', { modelFile: 'onnx/model.onnx' });
    release();
    await expect(files).rejects.toThrow(/test files\/tokenizer\.json is not valid JSON/);
  });
});
