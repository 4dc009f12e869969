// `npm run check:engines` (a dev check, not part of `npm test`): exports experiments with `patchbay export` for
// pyvene and nnsight, runs the scripts in a virtualenv that has both (bash ../shared/vendor/setup-engines.sh
// ../engines-venv) on the bundled models' PyTorch weights (tools/scaleout/onnx_to_torch.py), and compares with
// Patchbay's own results (tools/scaleout/check-cases.ts): ≤ 1e-4 on logits, collected values, sweep and trace cells;
// identical token ids and per-token probabilities ≤ 1e-4 for greedy generation. Prints a markdown table
// (docs/scale-out.md). CHECK_ONLY=text runs the cases whose name contains it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledIds, nodeResolver, REPO_ROOT } from '../../engine/load/node-resolver.js';
import { openModel } from '../../engine/load/open-model.js';
import type { LoadedModel } from '../../engine/load/load-model.js';
import { exportScript } from '../../engine/export/export-script.js';
import { parseResultFile } from '../../engine/io/result-files.js';
import { configureRuntime } from '../../engine/runtime/ort-runtime.js';
import { CASES, type Json } from './check-cases.js';

const VENV = process.env.ENGINES_VENV ?? join(REPO_ROOT, '../engines-venv');
const PYTHON = join(VENV, 'bin/python');
const TOLERANCE = 1e-4;

function weights(id: string): string {
  const out = join(REPO_ROOT, 'tools/scaleout/out', id);
  const onnx = join(REPO_ROOT, 'public/models', id, 'onnx/model.onnx');
  // Made again when the bundled model was rebuilt after the last conversion.
  if (!existsSync(join(out, 'config.json')) || statSync(onnx).mtimeMs > statSync(join(out, 'config.json')).mtimeMs) {
    execFileSync(PYTHON, [join(REPO_ROOT, 'tools/scaleout/onnx_to_torch.py'), join(REPO_ROOT, 'public/models', id), out], { stdio: 'inherit' });
  }
  return out;
}

/** Runs one exported script; its result must also pass the result-file parser (`patchbay show` reads it). */
function runScript(script: string, model: string): Json {
  const out = `${script}.json`;
  execFileSync(PYTHON, [script, '--model', weights(model), '--device', 'cpu', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  const json = JSON.parse(readFileSync(out, 'utf8')) as Json;
  const parsed = parseResultFile(json);
  if (!parsed.ok) throw new Error(`the result file does not parse: ${parsed.errors[0]!.path}: ${parsed.errors[0]!.message}`);
  return json;
}

/** The largest |a − b| over equally long lists (∞ when the lengths differ). */
function maxAbsDiff(got: number[], want: number[]): number {
  return got.length === want.length ? Math.max(0, ...got.map((g, i) => Math.abs(g - want[i]!))) : Number.POSITIVE_INFINITY;
}

async function main(): Promise<void> {
  if (!existsSync(PYTHON)) throw new Error(`no virtualenv at ${VENV}: run bash ../shared/vendor/setup-engines.sh ${VENV} (or set ENGINES_VENV)`);
  configureRuntime({ provider: 'wasm', numThreads: 2, runtime: 'native' });
  const tmp = mkdtempSync(join(tmpdir(), 'patchbay-engines-'));
  const rows = ['| experiment | model | engine | values compared | intervention effect | max abs diff | ≤ 1e-4 | seconds |', '| --- | --- | --- | --- | --- | --- | --- | --- |'];
  let failed = 0;
  const models = new Map<string, LoadedModel>();
  const only = process.env.CHECK_ONLY;
  for (const [n, c] of CASES.entries()) {
    if (only && !c.name.includes(only)) continue;
    if (!models.has(c.model)) models.set(c.model, await openModel(c.model, nodeResolver, { bundledIds: bundledIds() }));
    const want = await c.patchbay(models.get(c.model)!);
    for (const engine of c.engines) {
      const script = join(tmp, `${engine}-${n}.py`);
      writeFileSync(script, exportScript(c.doc, engine, { files: c.files }));
      const t0 = Date.now();
      let diff = Number.NaN;
      let probDiff = want.probs ? Number.NaN : 0;
      try {
        const json = runScript(script, c.model);
        const got = c.script(json);
        if (want.ids) diff = got.length === want.values.length ? got.filter((g, i) => g !== want.values[i]).length : Number.POSITIVE_INFINITY;
        else diff = maxAbsDiff(got, want.values);
        if (want.probs) probDiff = maxAbsDiff(c.scriptProbs?.(json) ?? [], want.probs);
      } catch (e) {
        process.stderr.write(`${c.name} / ${engine}: ${String((e as { stderr?: Buffer }).stderr ?? e).split('\n').slice(-4).join('\n')}\n`);
      }
      const ok = (want.ids ? diff === 0 : diff <= TOLERANCE) && probDiff <= TOLERANCE;
      if (!ok) failed++;
      const probs = want.probs ? `; probs ${Number.isFinite(probDiff) ? probDiff.toExponential(2) : 'missing'}` : '';
      const shown = !Number.isFinite(diff) ? 'failed' : want.ids ? `${diff === 0 ? 'identical ids' : `${diff} ids differ`}${probs}` : diff.toExponential(2);
      const effect = want.ids ? `${want.effect} of ${want.values.length / 2} tokens changed` : want.effect.toFixed(3);
      const compared = want.values.length + (want.probs?.length ?? 0);
      rows.push(`| ${c.name} | ${c.model} | ${engine} | ${compared} | ${effect} | ${shown} | ${ok ? 'yes' : 'NO'} | ${((Date.now() - t0) / 1000).toFixed(1)} |`);
      process.stderr.write(`${rows.at(-1)}\n`);
    }
  }
  process.stdout.write(`${rows.join('\n')}\n`);
  process.exitCode = failed ? 1 : 0;
}

await main();
