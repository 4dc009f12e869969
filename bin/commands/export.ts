// `patchbay export --to pyvene|nnsight EXP.json [--out script.py]`: a runnable Python script for a run, sweep or
// trace document that writes Patchbay's own result JSON (`python script.py [--model ID] [--remote] --out RESULT.json`).
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { PatchbayError } from '../../engine/errors.js';
import { exportScript, type ExportTarget } from '../../engine/export/export-script.js';
import { readJson } from './document.js';
import { checkOutputPath, writeOutput } from './output-path.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a Python script (pyvene or nnsight) that runs the experiment on the PyTorch model and writes Patchbay\'s result JSON')
    .argument('<experiment>', 'a run document (experiment JSON), a sweep ({"kind": "sweep", …}) or trace document ({"kind": "trace", …})')
    .requiredOption('--to <engine>', 'pyvene or nnsight')
    .option('--hf-model <id>', 'the PyTorch model the script loads by default (default: mapped from the document\'s model)')
    .option('--out <script.py>', 'write the script here instead of stdout')
    .action(async (file: string, o: { to: string; hfModel?: string; out?: string }) => {
      if (o.to !== 'pyvene' && o.to !== 'nnsight') throw new PatchbayError('INPUT_INVALID', `--to must be pyvene or nnsight; got "${o.to}"`);
      checkOutputPath(o.out, '--out');
      const text = exportScript(await withNoiseFile(await readJson(file), file), o.to as ExportTarget, { hfModel: o.hfModel });
      if (o.out) writeOutput(o.out, text, '--out');
      else process.stdout.write(text);
    });
}

/** A trace document's "noise_file" (read relative to the document, as --save-noise wrote it) inlined as "noise_values". */
async function withNoiseFile(json: unknown, file: string): Promise<unknown> {
  const o = json as { kind?: unknown; noise_file?: unknown } | null;
  if (o?.kind !== 'trace' || typeof o.noise_file !== 'string') return json;
  const data = await readJson(resolve(dirname(file), o.noise_file));
  const values = Array.isArray(data) ? data : (data as { values?: unknown } | null)?.values;
  if (!Array.isArray(values)) throw new PatchbayError('TRACE_INVALID', `${o.noise_file} must hold [samples][subject tokens][d_model] numbers (or {"values": …})`, 'noise_file');
  const { noise_file: _, ...rest } = o;
  return { ...rest, noise_values: values };
}
