// `patchbay pyvene export|import|script`: pyvene's saved config.json to and from experiments, and a runnable
// pyvene script for the same experiment on the PyTorch model.
import type { Command } from 'commander';
import { exportPyveneConfig, importPyveneConfig } from '../../engine/experiment/pyvene-config.js';
import { exportScript } from '../../engine/export/export-script.js';
import { ExperimentSchema } from '../../engine/experiment/experiment-schema.js';
import { readDocument, readJson } from './document.js';
import { writeOutput } from './output-path.js';

async function emit(text: string, out?: string): Promise<void> {
  if (out) writeOutput(out, text, '--out');
  else process.stdout.write(text);
}

export function registerPyvene(program: Command): void {
  const cmd = program.command('pyvene').description('pyvene compatibility: config.json and Python scripts');
  cmd.command('export')
    .description('write the pyvene config.json of an experiment')
    .argument('<experiment>', 'experiment JSON file')
    .option('--out <file>', 'output file (default: stdout)')
    .action(async (file: string, o: { out?: string }) => emit(`${JSON.stringify(exportPyveneConfig(await readDocument(file)), null, 2)}\n`, o.out));
  cmd.command('import')
    .description('put a pyvene config.json into an experiment (its inputs and locations are kept)')
    .argument('<config>', 'pyvene config.json')
    .requiredOption('--experiment <file>', 'the experiment whose config is replaced')
    .option('--out <file>', 'output file (default: stdout)')
    .action(async (config: string, o: { experiment: string; out?: string }) => {
      const doc = await readDocument(o.experiment);
      const imported = importPyveneConfig(await readJson(config));
      for (const w of imported.warnings) process.stderr.write(`patchbay: warning: ${w}\n`);
      const next = ExperimentSchema.parse({ ...doc, config: imported.config });
      await emit(`${JSON.stringify(next, null, 2)}\n`, o.out);
    });
  cmd.command('script')
    .description('write a runnable pyvene script reproducing the experiment on the PyTorch model (as `patchbay export --to pyvene`)')
    .argument('<experiment>', 'experiment JSON file')
    .option('--hf-model <id>', 'the PyTorch model on the Hugging Face hub (default: derived from the experiment\'s model)')
    .option('--out <file>', 'output file (default: stdout)')
    .action(async (file: string, o: { hfModel?: string; out?: string }) => emit(exportScript(await readDocument(file), 'pyvene', { hfModel: o.hfModel }), o.out));
}
