// `patchbay sweep`: the activation-patching sweep (source → base at every layer × position of one component), from
// flags or a sweep document; prints (or writes) the sweep grid as JSON (docs/scale-out.md, "Result formats").
import type { Command } from 'commander';
import { PatchbayError } from '../../engine/errors.js';
import { parseSweepDocument, patchingSweep, sweepToJson, type SweepDocument, type SweepProgress } from '../../engine/experiments/sweep.js';
import { graphCache } from '../../engine/compile/graph-cache.js';
import { openForCli, RUNTIME_OPTION, THREADS_OPTION } from './open.js';
import { readJson } from './document.js';
import { checkOutputPath, writeOutput } from './output-path.js';

interface SweepFlags {
  model?: string; base?: string; source?: string; component?: string; metric?: string; answer?: string;
  out?: string; progress?: boolean; threads: string; runtime: string;
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('patching sweep: patch the source into the base at every layer × position of one component, score each cell')
    .argument('[sweep]', 'a sweep document ({"kind": "sweep", "model", "base", "source", "component", "metric", "answer"}); flags override it')
    .option('--model <ref>', 'bundled model id, folder, .onnx file, URL or Hugging Face repo id')
    .option('--base <text>', 'the base prompt')
    .option('--source <text>', 'the source prompt (same token length as the base)')
    .option('--component <c>', 'the component patched (default block_output)')
    .option('--metric <m>', 'prob (the answer\'s probability) or logit_diff (answer minus the base\'s top-1)')
    .option('--answer <text>', 'the scored token; default: the source\'s clean top-1')
    .option(...THREADS_OPTION)
    .option(...RUNTIME_OPTION)
    .option('--out <file.json>', 'write the sweep here instead of stdout')
    .option('--progress', 'print progress on stderr')
    .action(async (file: string | undefined, flags: SweepFlags) => {
      checkOutputPath(flags.out, '--out');
      const doc = sweepDocument(file ? await readJson(file) : { kind: 'sweep' }, flags);
      if (!doc.model) throw new PatchbayError('EXPERIMENT_INVALID', 'no model: set "model" in the document or pass --model', 'model');
      const model = await openForCli(doc.model, flags);
      const result = await patchingSweep(model, doc, { onProgress: flags.progress ? printProgress : undefined });
      const text = `${JSON.stringify({ model: model.info.name, ...sweepToJson(result) })}\n`;
      if (flags.out) writeOutput(flags.out, text, '--out');
      else process.stdout.write(text);
      await graphCache(model).clear();
    });
}

/** The document with the flags laid over it, validated as one. */
export function sweepDocument(json: unknown, f: SweepFlags): SweepDocument {
  const o = { ...(json && typeof json === 'object' ? json : {}) } as Record<string, unknown>;
  for (const key of ['model', 'base', 'source', 'component', 'metric', 'answer'] as const) if (f[key] !== undefined) o[key] = f[key];
  return parseSweepDocument(o);
}

function printProgress(p: SweepProgress): void {
  process.stderr.write(`sweep: ${p.done}/${p.total}\n`);
}
