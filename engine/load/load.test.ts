// Loading models from every kind of reference and layout: folders laid out like a hub repo, loose .onnx files with
// config.json beside them, external-data weights, a local server mimicking the hub URLs, and clear errors for
// graphs Patchbay cannot instrument.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { openModel } from './open-model.js';
import { nodeResolver, REPO_ROOT } from './node-resolver.js';
import { loadModel } from './load-model.js';
import { parseModelRef } from '../model/model-ref.js';
import { fixtureReference, maxAbsDiff, readBytes, TESTDATA } from '../test-support/fixtures.js';
import { forward } from '../run/forward.js';
import { decodeModel } from '../onnx/model-file.js';
import { ModelProtoType } from '../onnx/onnx-schema.js';
import { configureRuntime } from '../runtime/ort-runtime.js';
import { memoryAccess, type LoadProgress } from '../io/file-access.js';
import { fetchModelFiles } from '../model/fetch-model-files.js';
import { PatchbayError } from '../errors.js';
import { siteId, slotValueNames } from '../sites/site-id.js';
import { graphCache } from '../compile/graph-cache.js';

const GPT2 = join(TESTDATA, 'generated/tiny-gpt2');
const ref = fixtureReference('tiny-gpt2');
configureRuntime({ provider: 'wasm', numThreads: 1 });

async function lastLogitsDiff(model: Awaited<ReturnType<typeof openModel>>): Promise<number> {
  const out = await forward(model, await graphCache(model).get([]), { ids: ref.input_ids, logits: 'all' });
  return maxAbsDiff(out.logits!.data, ref.logits.flat(2));
}

/** A hub-like folder: config.json at the root, graphs in onnx/. */
function hubFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-hub-'));
  mkdirSync(join(dir, 'onnx'));
  copyFileSync(join(GPT2, 'config.json'), join(dir, 'config.json'));
  copyFileSync(join(GPT2, 'model.onnx'), join(dir, 'onnx/model.onnx'));
  copyFileSync(join(GPT2, 'model_opset14_quantized.onnx'), join(dir, 'onnx/model_quantized.onnx'));
  return dir;
}

describe('model references', () => {
  it('parses every kind of reference', () => {
    expect(parseModelRef('gpt2-facts', ['gpt2-facts'])).toEqual({ kind: 'bundled', id: 'gpt2-facts' });
    expect(parseModelRef('Xenova/gpt2')).toEqual({ kind: 'hub', repo: 'Xenova/gpt2', url: 'https://huggingface.co/Xenova/gpt2/resolve/main' });
    expect(parseModelRef('./models/x')).toMatchObject({ kind: 'path', isOnnxFile: false });
    expect(parseModelRef('model.onnx')).toMatchObject({ kind: 'path', isOnnxFile: true });
    expect(parseModelRef('https://example.org/m/model.onnx')).toMatchObject({ kind: 'url', isOnnxFile: true });
    expect(() => parseModelRef('not a model')).toThrow(/not a bundled model/);
    expect(() => parseModelRef('  ')).toThrow(PatchbayError);
  });
});

describe('loading', () => {
  it('opens a hub-layout folder, picking fp32 or the quantized variant', async () => {
    const dir = hubFolder();
    const fp32 = await openModel(dir, nodeResolver);
    expect(fp32.info.family).toBe('gpt2');
    expect(await lastLogitsDiff(fp32)).toBeLessThan(1e-4);
    const q = await openModel(dir, nodeResolver, { variant: 'quantized' });
    expect(q.info.bytes).toBeLessThan(fp32.info.bytes / 2);
  });

  it('opens a loose .onnx file with config.json beside it, and the legacy merged layout', async () => {
    const m = await openModel(join(GPT2, 'decoder_model_merged.onnx'), nodeResolver);
    expect(m.info.dims).toMatchObject({ nLayers: 2, dModel: 64, nHeads: 4, vocabSize: 1000 });
    expect(await lastLogitsDiff(m)).toBeLessThan(1e-4);
  });

  it('reads external-data weights (model.onnx + model.onnx_data)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchbay-ext-'));
    copyFileSync(join(GPT2, 'config.json'), join(dir, 'config.json'));
    const decoded = decodeModel(readBytes(join(GPT2, 'model.onnx')));
    const chunks: Uint8Array[] = [];
    let offset = 0;
    for (const t of decoded.proto.graph.initializer) {
      if (!t.raw_data || t.raw_data.length < 4096) continue;
      chunks.push(t.raw_data);
      t.external_data = [{ key: 'location', value: 'model.onnx_data' }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(t.raw_data.length) }];
      t.data_location = 1;
      offset += t.raw_data.length;
      t.raw_data = new Uint8Array(0);
    }
    writeFileSync(join(dir, 'model.onnx'), ModelProtoType.encode(ModelProtoType.fromObject(decoded.proto as never)).finish());
    writeFileSync(join(dir, 'model.onnx_data'), Buffer.concat(chunks));
    const m = await openModel(dir, nodeResolver);
    expect(await lastLogitsDiff(m)).toBeLessThan(1e-4);
  });

  it('loads from a server laid out like the Hugging Face hub, reporting progress', async () => {
    const dir = hubFolder();
    const server: Server = createServer(async (req, res) => {
      const m = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(req.url ?? '');
      try {
        if (!m || m[1] !== 'test/tiny-gpt2') throw new Error('no');
        const body = await readFile(join(dir, m[2]!));
        res.writeHead(200, { 'content-length': body.length });
        res.end(body);
      } catch {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const events: LoadProgress[] = [];
    try {
      const m = await openModel(`http://127.0.0.1:${port}/test/tiny-gpt2/resolve/main`, nodeResolver, { onProgress: (p) => events.push(p) });
      expect(await lastLogitsDiff(m)).toBeLessThan(1e-4);
      const done = events.filter((e) => e.status === 'done').map((e) => e.file);
      expect(done).toContain('onnx/model.onnx');
      const last = events.filter((e) => e.status === 'progress' && e.file === 'onnx/model.onnx').pop();
      expect(last).toMatchObject({ loaded: 1025435, total: 1025435 });
      await expect(openModel(`http://127.0.0.1:${port}/test/missing/resolve/main`, nodeResolver)).rejects.toThrow(/no ONNX graph/);
    } finally {
      server.close();
    }
  });
});

describe('graphs that are not plain exports', () => {
  const load = (file: string, config?: Record<string, unknown>) => () => loadModel({ name: file, model: readBytes(join(TESTDATA, file)), config });

  it('loads a fused onnxruntime-genai graph, listing what fusion hides, and its slots leave it unchanged', async () => {
    const m = load('ortgenai-tiny-random-gpt2-fp32-past-fused.onnx')();
    expect(m.info.dims).toMatchObject({ nLayers: 5, dModel: 32, nHeads: 4, vocabSize: 1000 });
    expect(m.info.unavailableSites['L0.block_input']).toMatch(/EmbedLayerNormalization/);
    expect(m.info.unavailableSites['L3.head_query_output']).toMatch(/fused into one Attention op \(onnxruntime/);
    expect(m.info.unavailableSites['L3.mlp_output']).toBeUndefined();
    const ids = [[5, 17, 42, 99]];
    const plain = await forward(m, await graphCache(m).get([]), { ids });
    const site = { layer: 2, component: 'block_output' as const };
    const slotted = await graphCache(m).get([{ site, kind: 'affine' }]);
    const neutral = await forward(m, slotted, { ids });
    expect(maxAbsDiff(neutral.logits!.data, plain.logits!.data)).toBeLessThan(1e-6);
    const steered = await forward(m, slotted, { ids, feeds: { [slotValueNames(siteId(site)).delta]: { data: Float32Array.from({ length: 32 }, (_, i) => Math.sin(i)), dims: [1, 1, 32] } } });
    expect(maxAbsDiff(steered.logits!.data, plain.logits!.data)).toBeGreaterThan(1e-3);
  });

  it('names what is wrong with graphs it cannot use', async () => {
    expect(load('ort-testdata-gpt2_past-pytorch1.6-opset11.onnx')).toThrow(/no "logits" output \(it has last_state/);
    expect(load('generated/tiny-gpt2/model.onnx', { model_type: 'llama' })).toThrow(/model_type "llama"/);
    expect(() => loadModel({ name: 'x', model: new TextEncoder().encode('{"not": "onnx"}') })).toThrow(PatchbayError);
    await expect(openModel('/nonexistent/folder', nodeResolver)).rejects.toThrow(/no such file or folder/);
  });

  it('refuses a model larger than the host holds, before downloading it', async () => {
    const bytes = readBytes(join(GPT2, 'model.onnx'));
    const dropped = memoryAccess(new Map([['model.onnx', bytes]]));
    await expect(fetchModelFiles(dropped, 'x', { modelFile: 'model.onnx', maxBytes: 100_000 })).rejects.toMatchObject({ code: 'MODEL_TOO_LARGE' });
    let served = 0;
    const server = createServer((req, res) => {
      if (!req.url?.endsWith('/model.onnx')) { res.writeHead(404).end(); return; } // the JSON files, asked for meanwhile
      res.writeHead(200, { 'content-length': bytes.length });
      served += 1;
      res.end(Buffer.from(bytes));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/m/model.onnx`;
      await expect(openModel(url, nodeResolver, { maxBytes: 100_000 })).rejects.toThrow(/come to 0\.00 GB or more .* at most 0\.00 GB/);
      expect(served).toBe(1); // one response started; its body was never read into a buffer of its announced size
      expect(await fetchModelFiles(dropped, 'x', { modelFile: 'model.onnx', maxBytes: 10_000_000 })).toMatchObject({ name: 'x' });
    } finally {
      server.close();
    }
  });

  it('refuses a tokenizer that does not fit the vocabulary', () => {
    const tokenizer = JSON.parse(readFileSync(join(REPO_ROOT, 'public/models/gpt2-facts/tokenizer.json'), 'utf8')) as unknown;
    const files = { name: 'x', model: readBytes(join(TESTDATA, 'generated/tiny-gpt2/model.onnx')), tokenizer };
    expect(() => loadModel(files)).toThrow(/ids up to 1279, but the model's vocabulary has 1000 entries/);
  });

  it('reads family and dimensions from the graph when config.json is missing', () => {
    // GPT-2's context is its position table's length; rotary NeoX has no table, so its context stays unknown.
    const cases = [['generated/tiny-gpt2/model.onnx', 'gpt2', { contextLength: 128 }], ['generated/tiny-gpt-neox/model_opset14.onnx', 'gpt_neox', {}]] as const;
    for (const [file, family, context] of cases) {
      const m = load(file)();
      expect(m.info.family).toBe(family);
      expect(m.info.familyEvidence).toBe('parameter names');
      expect(m.info.dims).toEqual({ nLayers: 2, dModel: 64, nHeads: 4, dHead: 16, dMlp: 256, vocabSize: 1000, ...context });
    }
  });
});
