// `patchbay export --to pyvene|nnsight EXP.json [--out script.py]`: a runnable Python script for a run or sweep
// document that writes Patchbay's own result JSON (`python script.py [--model ID] [--remote] --out RESULT.json`).
import type { Command } from 'commander';
import { PatchbayError } from '../../engine/errors.js';
import { exportScript, type ExportTarget } from '../../engine/export/export-script.js';
import { readJson } from './document.js';
import { checkOutputPath, writeOutput } from './output-path.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a Python script (pyvene or nnsight) that runs the experiment on the PyTorch model and writes Patchbay\'s result JSON')
    .argument('<experiment>', 'a run document (experiment JSON) or a sweep document ({"kind": "sweep", …})')
    .requiredOption('--to <engine>', 'pyvene or nnsight')
    .option('--hf-model <id>', 'the PyTorch model the script loads by default (default: mapped from the document\'s model)')
    .option('--out <script.py>', 'write the script here instead of stdout')
    .action(async (file: string, o: { to: string; hfModel?: string; out?: string }) => {
      if (o.to !== 'pyvene' && o.to !== 'nnsight') throw new PatchbayError('INPUT_INVALID', `--to must be pyvene or nnsight; got "${o.to}"`);
      checkOutputPath(o.out, '--out');
      const text = exportScript(await readJson(file), o.to as ExportTarget, { hfModel: o.hfModel });
      if (o.out) writeOutput(o.out, text, '--out');
      else process.stdout.write(text);
    });
}
