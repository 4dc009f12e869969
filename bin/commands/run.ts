// `patchbay run EXPERIMENT.json`: runs an experiment document and prints (or writes) the result JSON with the
// original and intervened next-token predictions and any collected values.
import type { Command } from 'commander';
import { PatchbayError } from '../../engine/errors.js';
import { runExperiment } from '../../engine/experiment/run-experiment.js';
import { openForCli, RUNTIME_OPTION, THREADS_OPTION } from './open.js';
import { readDocument, readSideFiles } from './document.js';
import { checkOutputPath, writeOutput } from './output-path.js';

interface RunFlags { out?: string; fullLogits?: boolean; model?: string; threads?: string; runtime?: string; variant?: string; topK?: string }

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run an experiment document (pyvene-style JSON) and print the result')
    .argument('<experiment>', 'experiment JSON file')
    .option('--out <file>', 'write the result JSON here instead of stdout')
    .option('--full-logits', 'include the last position\'s logits over the whole vocabulary')
    .option('--model <ref>', 'model reference (overrides the document\'s "model")')
    .option('--variant <v>', 'graph variant: fp32, quantized, int8, q4', 'fp32')
    .option('--top-k <k>', 'how many next tokens to list')
    .option(...THREADS_OPTION)
    .option(...RUNTIME_OPTION)
    .action(async (file: string, flags: RunFlags) => {
      checkOutputPath(flags.out, '--out');
      const doc = await readDocument(file);
      if (flags.fullLogits) doc.options.full_logits = true;
      if (flags.topK) doc.options.top_k = Number(flags.topK);
      const ref = flags.model ?? doc.model;
      if (!ref) throw new PatchbayError('EXPERIMENT_INVALID', 'no model: set "model" in the document or pass --model', 'model');
      const model = await openForCli(ref, flags);
      const result = await runExperiment(model, doc, { files: await readSideFiles(doc, file) });
      const text = `${JSON.stringify({ model: model.info.name, ...result }, null, 2)}\n`;
      if (flags.out) writeOutput(flags.out, text, '--out');
      else process.stdout.write(text);
    });
}
