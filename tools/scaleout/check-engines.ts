// `npm run check:engines` (a dev check, not part of `npm test`): exports experiments with `patchbay export` for
// pyvene and nnsight, runs the scripts in a virtualenv that has both (bash ../shared/vendor/setup-engines.sh
// ../engines-venv) on the bundled models' PyTorch weights (tools/scaleout/onnx_to_torch.py), and compares with
// Patchbay's own results: ≤ 1e-4 on logits and sweep cells. Prints a markdown table (docs/scale-out.md).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledIds, nodeResolver, REPO_ROOT } from '../../engine/load/node-resolver.js';
import { openModel } from '../../engine/load/open-model.js';
import type { LoadedModel } from '../../engine/load/load-model.js';
import { validateExperiment } from '../../engine/experiment/experiment-schema.js';
import { runExperiment } from '../../engine/experiment/run-experiment.js';
import { patchingSweep, parseSweepDocument } from '../../engine/experiments/sweep.js';
import { exportScript, type ExportTarget } from '../../engine/export/export-script.js';
import { seededRng } from '../../engine/util/random.js';
import { configureRuntime } from '../../engine/runtime/ort-runtime.js';

const VENV = process.env.ENGINES_VENV ?? join(REPO_ROOT, '../engines-venv');
const PYTHON = join(VENV, 'bin/python');
const TOLERANCE = 1e-4;
const EIFFEL = 'The Eiffel Tower is located in the city of';
const PALACE = 'Buckingham Palace is located in the city of';
const COLOSSEUM = 'The Colosseum is located in the city of';

interface Case { name: string; model: string; doc: Record<string, unknown>; engines: ExportTarget[] }

/** A seeded orthogonal n×n matrix (Gram–Schmidt), as nested rows. */
function orthogonal(n: number, seed: number): number[][] {
  const rng = seededRng(seed);
  const cols: number[][] = [];
  while (cols.length < n) {
    const v = Array.from({ length: n }, () => rng.gaussian());
    for (const c of cols) {
      const dot = v.reduce((a, x, i) => a + x * c[i]!, 0);
      c.forEach((ci, i) => { v[i]! -= dot * ci; });
    }
    const norm = Math.hypot(...v);
    cols.push(v.map((x) => x / norm));
  }
  return Array.from({ length: n }, (_, r) => cols.map((c) => c[r]!));
}

const vanilla = (layer: number, component = 'block_output') => ({ layer, component, intervention_type: 'VanillaIntervention' });

const CASES: Case[] = [
  { name: 'interchange (L2 block_output, pos 4)', model: 'gpt2-facts', engines: ['pyvene', 'nnsight'],
    doc: { model: 'gpt2-facts', base: EIFFEL, sources: [PALACE], config: { representations: [vanilla(2)] }, unit_locations: { 'sources->base': 4 } } },
  { name: 'interchange + zero (pythia, mlp_output / attention_output)', model: 'pythia-facts', engines: ['pyvene', 'nnsight'],
    doc: { model: 'pythia-facts', base: EIFFEL, sources: [PALACE], unit_locations: { 'sources->base': [[[[3]], [[8]]], [[[3]], [[8]]]] },
      config: { representations: [vanilla(1, 'mlp_output'), { layer: 3, component: 'attention_output', intervention_type: 'ZeroIntervention' }] } } },
  { name: 'rotation (RotatedSpace, 32 of 128 dims, L3)', model: 'pythia-facts', engines: ['pyvene'],
    doc: { model: 'pythia-facts', base: EIFFEL, sources: [PALACE], unit_locations: { 'sources->base': 5 },
      config: { representations: [{ layer: 3, component: 'block_output', intervention_type: 'RotatedSpaceIntervention', params: { rotation: orthogonal(128, 7), interchange_dim: 32 } }] } } },
  { name: 'serial chain (source_0 → source_1 → base, pyvene nesting)', model: 'gpt2-facts', engines: ['pyvene', 'nnsight'],
    doc: { model: 'gpt2-facts', base: EIFFEL, sources: [COLOSSEUM, PALACE], config: { mode: 'serial', representations: [vanilla(1), vanilla(3)] },
      unit_locations: { 'source_0->source_1': [[[[2]]], [[[2]]]], 'source_1->base': [[[[8]]], [[[8]]]] } } },
  { name: 'patching sweep (block_output, prob)', model: 'pythia-facts', engines: ['pyvene', 'nnsight'],
    doc: { kind: 'sweep', model: 'pythia-facts', base: EIFFEL, source: PALACE, component: 'block_output', metric: 'prob' } },
];

async function patchbayResult(model: LoadedModel, doc: Record<string, unknown>): Promise<number[]> {
  if (doc.kind === 'sweep') {
    const r = await patchingSweep(model, parseSweepDocument(doc));
    return [r.low, r.high, ...r.values.flat()];
  }
  const v = validateExperiment({ ...doc, options: { full_logits: true } });
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  const r = await runExperiment(model, v.value);
  return [...r.original.logits!, ...r.intervened.logits!];
}

/** How much the intervention moves the logits in Patchbay's run (so a match is not two untouched runs agreeing). */
function effect(values: number[], doc: Record<string, unknown>): number {
  if (doc.kind === 'sweep') return Math.max(...values.slice(2)) - Math.min(...values.slice(2));
  const half = values.length / 2;
  return Math.max(...values.slice(half).map((v, i) => Math.abs(v - values[i]!)));
}

function scriptResult(json: Record<string, unknown>, doc: Record<string, unknown>): number[] {
  if (doc.kind === 'sweep') return [json.low_score as number, json.high_score as number, ...(json.values as number[][]).flat()];
  const p = (k: string) => (json[k] as { logits: number[] }).logits;
  return [...p('original'), ...p('intervened')];
}

function weights(id: string): string {
  const out = join(REPO_ROOT, 'tools/scaleout/out', id);
  const onnx = join(REPO_ROOT, 'public/models', id, 'onnx/model.onnx');
  // Made again when the bundled model was rebuilt after the last conversion.
  if (!existsSync(join(out, 'config.json')) || statSync(onnx).mtimeMs > statSync(join(out, 'config.json')).mtimeMs) {
    execFileSync(PYTHON, [join(REPO_ROOT, 'tools/scaleout/onnx_to_torch.py'), join(REPO_ROOT, 'public/models', id), out], { stdio: 'inherit' });
  }
  return out;
}

async function main(): Promise<void> {
  if (!existsSync(PYTHON)) throw new Error(`no virtualenv at ${VENV}: run bash ../shared/vendor/setup-engines.sh ${VENV} (or set ENGINES_VENV)`);
  configureRuntime({ provider: 'wasm', numThreads: 2, runtime: 'native' });
  const tmp = mkdtempSync(join(tmpdir(), 'patchbay-engines-'));
  const rows: string[] = ['| experiment | model | engine | values compared | intervention effect | max abs diff | ≤ 1e-4 | seconds |', '| --- | --- | --- | --- | --- | --- | --- | --- |'];
  let failed = 0;
  const models = new Map<string, LoadedModel>();
  for (const c of CASES) {
    if (!models.has(c.model)) models.set(c.model, await openModel(c.model, nodeResolver, { bundledIds: bundledIds() }));
    const want = await patchbayResult(models.get(c.model)!, c.doc);
    for (const engine of c.engines) {
      const script = join(tmp, `${engine}-${CASES.indexOf(c)}.py`);
      const out = `${script}.json`;
      const docWithLogits = c.doc.kind === 'sweep' ? c.doc : { ...c.doc, options: { full_logits: true } };
      writeFileSync(script, exportScript(docWithLogits, engine));
      const t0 = Date.now();
      let diff = Number.NaN;
      try {
        execFileSync(PYTHON, [script, '--model', weights(c.model), '--device', 'cpu', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
        const got = scriptResult(JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>, c.doc);
        diff = got.length === want.length ? Math.max(...got.map((g, i) => Math.abs(g - want[i]!))) : Number.POSITIVE_INFINITY;
      } catch (e) {
        process.stderr.write(`${c.name} / ${engine}: ${String((e as { stderr?: Buffer }).stderr ?? e).split('\n').slice(-4).join('\n')}\n`);
      }
      const ok = diff <= TOLERANCE;
      if (!ok) failed++;
      rows.push(`| ${c.name} | ${c.model} | ${engine} | ${want.length} | ${effect(want, c.doc).toFixed(3)} | ${Number.isFinite(diff) ? diff.toExponential(2) : 'failed'} | ${ok ? 'yes' : 'NO'} | ${((Date.now() - t0) / 1000).toFixed(1)} |`);
      process.stderr.write(`${rows.at(-1)}\n`);
    }
  }
  process.stdout.write(`${rows.join('\n')}\n`);
  process.exitCode = failed ? 1 : 0;
}

await main();
