// `patchbay run EXPERIMENT.json`: runs an experiment document and prints (or writes) the result JSON with the
// original and intervened next-token predictions and any collected values; for a recurrent network (GRU), the
// top-k outputs at every step (original.steps / intervened.steps).
import type { Command } from 'commander';
import { PatchbayError } from '../../engine/errors.js';
import { runExperiment } from '../../engine/experiment/run-experiment.js';
import { configureCliRuntime, RUNTIME_OPTION, THREADS_OPTION } from './open.js';
import { readDocument, readJson, readSideFiles } from './document.js';
import { nodeOpenOptions, nodeResolver } from '../../engine/load/node-resolver.js';
import type { ModelVariant } from '../../engine/model/model-ref.js';
import { isRecurrent, openAnyModel } from '../../engine/recurrent/load-recurrent.js';
import { parseGruExperiment } from '../../engine/recurrent/gru-document.js';
import { runGruExperiment } from '../../engine/recurrent/gru-experiment.js';
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
      const json = await readJson(file);
      const named = (json as { model?: unknown } | null)?.model;
      const ref = flags.model ?? (typeof named === 'string' ? named : undefined);
      if (!ref) throw new PatchbayError('EXPERIMENT_INVALID', 'no model: set "model" in the document or pass --model', 'model');
      configureCliRuntime(flags);
      const model = await openAnyModel(ref, nodeResolver, { ...nodeOpenOptions(), variant: (flags.variant ?? 'fp32') as ModelVariant });
      let result: object;
      if (isRecurrent(model)) {
        const doc = parseGruExperiment(json);
        if (flags.fullLogits) doc.options.full_logits = true;
        if (flags.topK) doc.options.top_k = Number(flags.topK);
        result = await runGruExperiment(model, doc);
      } else {
        const doc = await readDocument(file);
        if (flags.fullLogits) doc.options.full_logits = true;
        if (flags.topK) doc.options.top_k = Number(flags.topK);
        result = await runExperiment(model, doc, { files: await readSideFiles(doc, file) });
      }
      const text = `${JSON.stringify({ model: model.info.name, ...result }, null, 2)}\n`;
      if (flags.out) writeOutput(flags.out, text, '--out');
      else process.stdout.write(text);
    });
}
