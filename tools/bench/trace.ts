// `npm run bench:trace [-- --model M.onnx] [--threads 2] [--torch-threads N] [--no-python] [--batched] [--runtime R]
// [--out F.json]`: causal tracing of a GPT-2-small-sized model (10 tokens, 10 samples, resid + mlp + attn: 360 cells)
// with Patchbay on onnxruntime-node (native CPU kernels) and on onnxruntime-web (wasm, Node), each in its own process
// (for its own peak RSS), against ROME's loop in PyTorch on the CPU (tools/bench/rome_reference.py, 362 passes of
// batch 11) on the same weights and noise. Also times a second trace on the same model (graph cache hits) and
// measures each side's plain MatMul rate. Not a test: numbers go to docs/benchmarks.md and docs/causal-tracing.md.
// `--runtime native|web` runs one runtime only and prints its part. The model comes from `npm run models:bench`.
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
import { configureRuntime, Session, type RuntimeKind } from '../../engine/runtime/ort-runtime.js';
import { graphCache } from '../../engine/compile/graph-cache.js';

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

interface RuntimePart {
  runtime: RuntimeKind; load_seconds: number; matmul_gflops: number; peak_rss_mb: number; load_average: number[];
  staged: ReturnType<typeof summary>; second_trace: (ReturnType<typeof summary> & { compiles: number }) | null;
  batched: ReturnType<typeof summary> | null; scores: TraceResult['scores']; noise: unknown; kinds: string[]; window: number;
}

if (args.includes('--runtime')) {
  const part = await benchRuntime(value('--runtime', 'native') as RuntimeKind);
  if (args.includes('--part-out')) writeFileSync(value('--part-out', ''), JSON.stringify(part));
  else console.log(JSON.stringify({ ...part, scores: undefined, noise: undefined }, null, 2));
} else {
  await benchAll();
}

/** Each runtime in a child process, then PyTorch on the native run's noise; prints and writes the report. */
async function benchAll(): Promise<void> {
  const loadBefore = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-bench-'));
  const parts: Record<string, RuntimePart> = {};
  for (const runtime of ['native', 'web'] as const) {
    const out = join(dir, `${runtime}.json`);
    const pass = args.filter((a, i) => a !== '--out' && args[i - 1] !== '--out');
    execFileSync(process.execPath, [...process.execArgv, process.argv[1]!, ...pass, '--runtime', runtime, '--part-out', out], { stdio: 'inherit' });
    parts[runtime] = JSON.parse(readFileSync(out, 'utf8')) as RuntimePart;
  }
  const native = parts.native!;
  const web = parts.web!;
  const python = flag('--no-python') ? null : runPython(native, dir);
  const strip = (p: RuntimePart) => ({ ...p, scores: undefined, noise: undefined, kinds: undefined, window: undefined });
  const report = {
    model: file, threads,
    /** Other processes compete for the cores: the 1/5/15-minute load averages before and after. */
    load_average: { before: loadBefore, after: loadavg() },
    patchbay_native: strip(native),
    patchbay_web: strip(web),
    grids_native_vs_web_max_abs_diff: maxGridDiff(native.scores, web.scores),
    pytorch: python && {
      seconds: python.seconds, cpu_seconds: python.cpu_seconds, passes: python.passes, threads: python.threads,
      gflop: python.gflop, gflops: python.gflop / python.seconds, matmul_gflops: python.matmul_gflops,
      max_abs_score_diff_native: maxGridDiff(native.scores, python.scores),
      max_abs_score_diff_web: maxGridDiff(web.scores, python.scores),
    },
    ratio_native: python && native.staged.seconds / python.seconds,
    ratio_web: python && web.staged.seconds / python.seconds,
    cpu_ratio_native: python && native.staged.cpu_seconds / python.cpu_seconds,
  };
  console.log(JSON.stringify(report, null, 2));
  if (args.includes('--out')) writeFileSync(value('--out', ''), `${JSON.stringify(report, null, 2)}\n`);
}

async function benchRuntime(runtime: RuntimeKind): Promise<RuntimePart> {
  const loadBefore = loadavg()[0]!;
  let peakRss = 0;
  const rssTimer = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);
  configureRuntime({ provider: 'wasm', numThreads: threads, runtime });
  const matmul = await matmulRate(1024, 768, 3072);
  const loadStart = performance.now();
  const model = await openModel(file, nodeResolver);
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const dims = model.info.dims;
  const base: TraceOptions = { inputIds: IDS, subjectRange: SUBJECT, samples: 10, kinds: ['resid', 'mlp', 'attn'], window: 10, returnNoise: true };
  const staged = await timed(model, { ...base, strategy: 'staged' });
  const compiles = graphCache(model).stats.compiles;
  // The cache: a second trace on the same model compiles nothing (timed on the native runtime only, to save time).
  const second = runtime === 'native' ? await timed(model, { ...base, strategy: 'staged' }) : null;
  const batched = flag('--batched') ? await timed(model, { ...base, strategy: 'batched' }) : null;
  clearInterval(rssTimer);
  await graphCache(model).clear();
  return {
    runtime, load_seconds: loadSeconds, matmul_gflops: matmul, peak_rss_mb: Math.round(peakRss / 2 ** 20),
    load_average: [loadBefore, loadavg()[0]!],
    staged: summary(staged, dims),
    second_trace: second && { ...summary(second, dims), compiles: graphCache(model).stats.compiles - compiles },
    batched: batched && summary(batched, dims),
    scores: staged.result.scores, noise: staged.result.noise.values, kinds: staged.result.kinds, window: staged.result.window,
  };
}

interface Timed { result: TraceResult; seconds: number; cpuSeconds: number; compileSeconds: number }

/** One trace, timed; compileSeconds = until the clean run starts (stage graphs and sessions). */
async function timed(model: Awaited<ReturnType<typeof openModel>>, opts: TraceOptions): Promise<Timed> {
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

interface PythonOut { scores: Record<string, number[][]>; seconds: number; cpu_seconds: number; passes: number; threads: number; matmul_gflops: number; gflop: number }

function runPython(part: RuntimePart, dir: string): PythonOut {
  const spec = { model: file, input_ids: IDS, subject_range: SUBJECT, answer_id: part.staged.answer, kinds: part.kinds, window: part.window, noise: part.noise, threads: torchThreads };
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  execFileSync(process.env.PYTHON ?? 'python3', [join(REPO_ROOT, 'tools/bench/rome_reference.py'), join(dir, 'spec.json'), join(dir, 'out.json')], { stdio: 'inherit' });
  const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as Omit<PythonOut, 'gflop'>;
  const config = JSON.parse(readFileSync(join(file, '../../config.json'), 'utf8')) as { n_embd: number; n_layer: number; vocab_size: number; n_inner?: number | null };
  const d: ModelDims = { dModel: config.n_embd, nLayers: config.n_layer, vocabSize: config.vocab_size, dMlp: config.n_inner ?? 4 * config.n_embd } as ModelDims;
  return { ...out, gflop: romeFlops(out.passes, IDS.length, d) / 1e9 };
}

function maxGridDiff(a: Record<string, number[][] | undefined>, b: Record<string, number[][] | undefined>): number {
  let m = 0;
  for (const [k, grid] of Object.entries(b)) grid?.forEach((row, i) => row.forEach((v, j) => { m = Math.max(m, Math.abs(v - a[k]![i]![j]!)); }));
  return m;
}

/** GFLOP/s of one [m, k] × [k, n] MatMul graph on the configured runtime, the ceiling for the trace's block matmuls. */
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
