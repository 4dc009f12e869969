// `patchbay export --to pyvene|nnsight EXP.json [--out script.py]`: a runnable Python script for a run, sweep, trace,
// generate (a steering vector or an experiment document) or trained document that writes Patchbay's own result JSON
// (`python script.py [--model ID] [--remote] --out RESULT.json`).
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { PatchbayError } from '../../engine/errors.js';
import { exportScript, type ExportTarget } from '../../engine/export/export-script.js';
import { readFile } from 'node:fs/promises';
import { readJson, withNoiseFile } from './document.js';
import { checkOutputPath, writeOutput } from './output-path.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a Python script (pyvene or nnsight) that runs the experiment on the PyTorch model and writes Patchbay\'s result JSON')
    .argument('<experiment>', 'a run document (experiment JSON), or {"kind": "sweep" | "trace" | "generate" | "trained", …} (docs/scale-out.md)')
    .requiredOption('--to <engine>', 'pyvene or nnsight')
    .option('--hf-model <id>', 'the PyTorch model the script loads by default (default: mapped from the document\'s model)')
    .option('--out <script.py>', 'write the script here instead of stdout')
    .action(async (file: string, o: { to: string; hfModel?: string; out?: string }) => {
      if (o.to !== 'pyvene' && o.to !== 'nnsight') throw new PatchbayError('INPUT_INVALID', `--to must be pyvene or nnsight; got "${o.to}"`);
      checkOutputPath(o.out, '--out');
      const json = await withTrained(await withNoiseFile(await readJson(file), file), file);
      const text = exportScript(json.doc, o.to as ExportTarget, { hfModel: o.hfModel, files: json.files });
      if (o.out) writeOutput(o.out, text, '--out');
      else process.stdout.write(text);
    });
}

/** A trained document's "trained" file (beside the document), the float32 side file it names (beside it), and a
 *  "pairs" file (beside the document). */
async function withTrained(json: unknown, file: string): Promise<{ doc: unknown; files: Record<string, Uint8Array> }> {
  const o = json as { kind?: unknown; trained?: unknown; pairs?: unknown } | null;
  if (o?.kind !== 'trained') return { doc: json, files: {} };
  if (typeof o.pairs === 'string') o.pairs = await readJson(resolve(dirname(file), o.pairs));
  if (typeof o.trained !== 'string') return { doc: o, files: {} };
  const path = resolve(dirname(file), o.trained);
  const trained = await readJson(path);
  const side = (trained as { weight?: { file?: unknown } } | null)?.weight?.file;
  if (typeof side !== 'string') throw new PatchbayError('TRAINING_INVALID', `${o.trained} names no weight file ("weight": {"file": …})`, 'trained');
  try {
    const buf = await readFile(resolve(dirname(path), side));
    return { doc: { ...o, trained }, files: { [side]: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) } };
  } catch (e) {
    throw new PatchbayError('TRAINING_INVALID', `cannot read the side file ${side}: ${(e as Error).message}`, 'trained');
  }
}
