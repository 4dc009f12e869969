// `patchbay attribute`: attribution patching of every (layer, position) of a component, from one clean forward, one
// corrupted forward and one backward pass; with --exact also the exact patching sweep and their correlation
// (docs/das.md).
import type { Command } from 'commander';
import { PatchbayError } from '../../engine/errors.js';
import { isComponent } from '../../engine/sites/components.js';
import { attributionPatching } from '../../engine/training/attribution.js';
import { graphCache } from '../../engine/compile/graph-cache.js';
import { openForCli, RUNTIME_OPTION, THREADS_OPTION } from './open.js';
import { checkOutputPath, writeOutput } from './output-path.js';

interface AttributeFlags { model: string; clean: string; corrupt: string; answer: string; component: string; exact?: boolean; out?: string; threads: string; runtime: string }

export function registerAttribute(program: Command): void {
  program
    .command('attribute')
    .description('attribution patching: estimated effect of patching each (layer, position) from the clean into the corrupted run')
    .requiredOption('--model <ref>', 'bundled model id, folder, .onnx file, URL or Hugging Face repo id')
    .requiredOption('--clean <text>', 'the clean prompt')
    .requiredOption('--corrupt <text>', 'the corrupted prompt (same number of tokens)')
    .requiredOption('--answer <token>', 'the answer token as text (one token), scored as log p at the last position')
    .option('--component <name>', 'the site component', 'block_output')
    .option('--exact', 'also run the exact patching sweep and report the correlation')
    .option(...THREADS_OPTION)
    .option(...RUNTIME_OPTION)
    .option('--out <file.json>', 'write the result here instead of stdout')
    .action(async (f: AttributeFlags) => {
      if (!isComponent(f.component)) throw new PatchbayError('INPUT_INVALID', `--component "${f.component}" is not a component`);
      checkOutputPath(f.out, '--out');
      const model = await openForCli(f.model, f);
      const tok = model.tokenizer;
      if (!tok) throw new PatchbayError('TOKENIZER_MISSING', 'the model has no tokenizer.json: the prompts are text');
      const answer = tok.encode(f.answer);
      if (answer.length !== 1) throw new PatchbayError('INPUT_INVALID', `--answer "${f.answer}" is ${answer.length} tokens; give one token (mind the leading space)`);
      const clean = tok.encode(f.clean);
      const result = await attributionPatching(model, clean, tok.encode(f.corrupt), answer[0]!, { component: f.component, exact: !!f.exact });
      const json = `${JSON.stringify({ model: f.model, tokens: tok.tokenTexts(clean), answer: f.answer, ...result })}\n`;
      if (f.out) writeOutput(f.out, json, '--out');
      else process.stdout.write(json);
      await graphCache(model).clear();
    });
}
