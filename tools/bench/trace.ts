// `npm run bench:trace [-- --model M.onnx] [--threads 2] [--torch-threads N] [--no-python] [--batched] [--out F.json]`: causal
// tracing of a GPT-2-small-sized model (10 tokens, 10 samples, resid + mlp + attn: 360 cells) with Patchbay on
// onnxruntime-web (wasm, Node), against ROME's loop in PyTorch on the CPU (tools/bench/rome_reference.py, 362 passes
// of batch 11) on the same weights and noise. Also measures each side's plain MatMul rate. Not a test: numbers go to
// docs/causal-tracing.md. The model comes from `npm run models:bench`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { causalTrace, type TraceOptions, type TraceResult } from '../../engine/experiments/causal-trace.js';
import { REPO_ROOT, nodeResolver } from '../../engine/load/node-resolver.js';
import { openModel } from '../../engine/load/open-model.js';
import type { ModelDims } from '../../engine/model/model-types.js';
import { ModelProtoType } from '../../engine/onnx/onnx-schema.js';
import { floatTensor } from '../../engine/onnx/tensor-data.js';
import { configureRuntime, Session } from '../../engine/runtime/ort-runtime.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const value = (name: string, dflt: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : dflt);
const file = value('--model', join(REPO_ROOT, 'tools/models/out/gpt2-small-random/onnx/model.onnx'));
const threads = Number(value('--threads', '2'));
const torchThreads = Number(value('--torch-threads', String(threads)));
if (!existsSync(file)) {
  console.error(`no model at ${file}: run \`npm run models:bench\` first`);
  process.exit(1);
}
// "The Space Needle is located in the city of" in GPT-2's vocabulary; subject "Space Needle" = tokens 1–3.
const IDS = [464, 4687, 38420, 293, 318, 5140, 287, 262, 1748, 286];
const SUBJECT: [number, number] = [1, 4];

const loadBefore = loadavg()[0];
let peakRss = 0;
const rssTimer = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);
configureRuntime({ provider: 'wasm', numThreads: threads });
const wasmMatmul = await matmulRate(1024, 768, 3072);
const loadStart = performance.now();
const model = await openModel(file, nodeResolver);
const loadSeconds = (performance.now() - loadStart) / 1000;
const dims = model.info.dims;

const base: TraceOptions = { inputIds: IDS, subjectRange: SUBJECT, samples: 10, kinds: ['resid', 'mlp', 'attn'], window: 10, returnNoise: true };
const staged = await timed({ ...base, strategy: 'staged' });
const batched = flag('--batched') ? await timed({ ...base, strategy: 'batched' }) : null;
clearInterval(rssTimer);
const python = flag('--no-python') ? null : runPython(staged.result);

const report = {
  model: file, dims, threads, load_seconds: loadSeconds,
  /** Other processes compete for the cores; the 1-minute load average before and after, for reading the times. */
  load_average: [loadBefore, loadavg()[0]],
  wasm_matmul_gflops: wasmMatmul,
  /** Node's peak resident memory over loading and tracing (model bytes, onnxruntime's heap, activations). */
  patchbay_peak_rss_mb: Math.round(peakRss / 2 ** 20),
  patchbay: summary(staged, dims),
  patchbay_batched: batched && summary(batched, dims),
  pytorch: python && {
    seconds: python.seconds, cpu_seconds: python.cpu_seconds, passes: python.passes, threads: python.threads,
    gflop: romeFlops(python.passes, IDS.length, dims) / 1e9, gflops: romeFlops(python.passes, IDS.length, dims) / 1e9 / python.seconds,
    matmul_gflops: python.matmul_gflops,
    max_abs_score_diff: maxDiff(staged.result, python),
  },
  ratio: python && staged.seconds / python.seconds,
  cpu_ratio: python && staged.cpuSeconds / python.cpu_seconds,
};
console.log(JSON.stringify(report, null, 2));
if (args.includes('--out')) writeFileSync(value('--out', ''), `${JSON.stringify(report, null, 2)}\n`);
await model.graphs.clear();

interface Timed { result: TraceResult; seconds: number; cpuSeconds: number; compileSeconds: number }

/** One trace, timed; compileSeconds = until the clean run starts (stage graphs and sessions). */
async function timed(opts: TraceOptions): Promise<Timed> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  let compiled = start;
  const result = await causalTrace(model, opts, { onProgress: (p) => { if (p.stage === 'clean') compiled = performance.now(); } });
  const used = process.cpuUsage(cpu);
  return { result, seconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6, compileSeconds: (compiled - start) / 1000 };
}

function summary(r: Timed, d: ModelDims) {
  const flops = patchbayFlops(r.result, d);
  return {
    seconds: r.seconds, compile_seconds: r.compileSeconds, cpu_seconds: r.cpuSeconds, batches: r.result.stats.batches, strategy: r.result.stats.strategy,
    gflop: flops / 1e9, gflops: flops / 1e9 / r.seconds, gflops_per_cpu_second: flops / 1e9 / r.cpuSeconds,
    low_score: r.result.low_score, high_score: r.result.high_score, answer: r.result.answer.id,
  };
}

/** Matmul FLOPs of one token through one block (QKV, output projection, MLP), per attention pair, per head row. */
function perToken(d: ModelDims) {
  return { block: 2 * (4 * d.dModel * d.dModel + 2 * d.dModel * d.dMlp), kv: 2 * 3 * d.dModel * d.dModel, pair: 4 * d.dModel, head: 2 * d.dModel * d.vocabSize };
}

function patchbayFlops(r: TraceResult, d: ModelDims): number {
  const f = perToken(d);
  return r.stats.block_token_rows * f.block + r.stats.kv_token_rows * f.kv + r.stats.attention_pairs * f.pair + r.stats.head_rows * f.head;
}

/** ROME: every pass runs 11 rows × S tokens through every block and the LM head (logits at every position). */
function romeFlops(passes: number, seq: number, d: ModelDims): number {
  const f = perToken(d);
  const rows = passes * 11;
  return rows * seq * (d.nLayers * f.block + f.head) + rows * seq * seq * d.nLayers * f.pair;
}

interface PythonOut { scores: Record<string, number[][]>; seconds: number; cpu_seconds: number; passes: number; threads: number; matmul_gflops: number }

function runPython(trace: TraceResult): PythonOut {
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-bench-'));
  const spec = { model: file, input_ids: IDS, subject_range: SUBJECT, answer_id: trace.answer.id, kinds: trace.kinds, window: trace.window, noise: trace.noise.values, threads: torchThreads };
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  execFileSync(process.env.PYTHON ?? 'python3', [join(REPO_ROOT, 'tools/bench/rome_reference.py'), join(dir, 'spec.json'), join(dir, 'out.json')], { stdio: 'inherit' });
  return JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as PythonOut;
}

function maxDiff(a: TraceResult, b: PythonOut): number {
  let m = 0;
  for (const [k, grid] of Object.entries(b.scores)) grid.forEach((row, i) => row.forEach((v, j) => { m = Math.max(m, Math.abs(v - a.scores[k as 'resid']![i]![j]!)); }));
  return m;
}

/** GFLOP/s of one [m, k] × [k, n] MatMul graph on onnxruntime-web, the ceiling for the trace's block matmuls. */
async function matmulRate(m: number, k: number, n: number): Promise<number> {
  const weights = new Float32Array(k * n).map(() => Math.random() - 0.5);
  const proto = {
    ir_version: 9, opset_import: [{ domain: '', version: 18 }], producer_name: 'patchbay-bench', metadata_props: [],
    graph: {
      name: 'matmul', node: [{ op_type: 'MatMul', name: 'mm', input: ['a', 'b'], output: ['c'], attribute: [] }],
      initializer: [floatTensor('b', weights, [k, n])],
      input: [{ name: 'a', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: m }, { dim_value: k }] } } } }],
      output: [{ name: 'c', type: { tensor_type: { elem_type: 1 } } }], value_info: [],
    },
  };
  const session = await Session.create({ graphBytes: ModelProtoType.encode(ModelProtoType.fromObject(proto)).finish(), externalData: [] });
  const feeds = { a: { data: new Float32Array(m * k).map(() => Math.random()), dims: [m, k] } };
  for (let i = 0; i < 2; i++) await session.run(feeds, ['c']);
  const repeats = 10;
  const start = performance.now();
  for (let i = 0; i < repeats; i++) await session.run(feeds, ['c']);
  const seconds = (performance.now() - start) / 1000;
  await session.release();
  return (2 * m * k * n * repeats) / seconds / 1e9;
}
