// `npm run bench:load [model.onnx]`: how long instrumenting a GPT-2-small-sized export takes and how much memory it
// needs, against the targets of < 2 s and peak memory ≤ 1.5× the file size. The model comes from
// `npm run models:bench` (12 layers, d 768, vocab 50257, random weights). Not a test: numbers go to docs/.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../engine/load/node-resolver.js';
import { loadModel } from '../../engine/load/load-model.js';
import { encodeForRuntime } from '../../engine/onnx/model-file.js';
import { instrument, type SlotSpec } from '../../engine/compile/instrument.js';
import { configureRuntime, Session } from '../../engine/runtime/ort-runtime.js';
import type { Component } from '../../engine/sites/components.js';

const file = process.argv[2] ?? join(REPO_ROOT, 'tools/models/out/gpt2-small-random/onnx/model.onnx');
if (!existsSync(file)) {
  console.error(`no model at ${file}: run \`npm run models:bench\` first`);
  process.exit(1);
}

let peak = 0;
const sample = () => { peak = Math.max(peak, process.memoryUsage().rss); };
const timer = setInterval(sample, 5);
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;

const rssBefore = process.memoryUsage().rss;
const bytes = readFileSync(file);
const model = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const config = JSON.parse(readFileSync(join(file, '../../config.json'), 'utf8'));
sample();

// Instrumenting = decode, lift, find sites, rewrite with slots at every layer, encode for the runtime.
const t0 = performance.now();
const loaded = loadModel({ name: 'bench', model, config });
const tLoad = performance.now();
const components: Component[] = ['block_output', 'mlp_output', 'attention_output', 'head_attention_value_output'];
const specs: SlotSpec[] = [];
for (let layer = 0; layer < loaded.info.dims.nLayers; layer++) for (const component of components) specs.push({ site: { layer, component }, kind: 'affine' });
specs.push({ site: { layer: 0, component: 'token_embedding' }, kind: 'affine' });
const proto = instrument(loaded.decoded.proto, loaded.sites, loaded.info.dims, specs);
const runtime = encodeForRuntime(loaded.decoded, proto);
const t1 = performance.now();
sample();
const instrumentPeak = peak;

configureRuntime({ provider: 'wasm', numThreads: 2 });
const t2 = performance.now();
const session = await Session.create(runtime);
const t3 = performance.now();
sample();
clearInterval(timer);

const report = {
  file, file_bytes: model.byteLength, dims: loaded.info.dims, slots: specs.length,
  decode_and_find_sites_ms: Math.round(tLoad - t0),
  instrument_total_ms: Math.round(t1 - t0),
  runtime_graph_bytes: runtime.graphBytes.byteLength,
  rss_before_read: mb(rssBefore),
  peak_rss_while_instrumenting: mb(instrumentPeak),
  peak_over_file_size: +(instrumentPeak / model.byteLength).toFixed(2),
  peak_minus_baseline_over_file_size: +((instrumentPeak - rssBefore) / model.byteLength).toFixed(2),
  session_create_ms: Math.round(t3 - t2),
  peak_rss_with_session: mb(peak),
  inputs: session.inputNames.length,
};
console.log(JSON.stringify(report, null, 2));
await session.release();
