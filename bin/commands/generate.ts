// `patchbay generate`: the original and the intervened continuation of a prompt, with the interventions of an
// experiment document (--experiment) or a steering vector (--steer SPEC, syntax in engine/experiments/generate/
// steer-spec.ts), greedy by default. --json prints {prompt_ids, original: {ids, text, tokens}, intervened: {…}}, each
// continuation's tokens as [{id, text, prob}] (prob: the model's own softmax at that step, temperature 1), plus model and
// experiment (the run as a generation document).
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { PatchbayError } from '../../engine/errors.js';
import type { LoadedModel } from '../../engine/load/load-model.js';
import type { ExperimentDoc } from '../../engine/experiment/experiment-schema.js';
import { endOfText, generate, type Continuation, type InterveneOn } from '../../engine/experiments/generate.js';
import { parseSteerSpec } from '../../engine/experiments/generate/steer-spec.js';
import { steeringExperiment, steeringVectors } from '../../engine/experiments/generate/steering.js';
import { resolveTrainedSteer } from '../../engine/experiments/generate/trained-steer.js';
import { openForCli, RUNTIME_OPTION, THREADS_OPTION } from './open.js';
import { readDocument, readSideFiles } from './document.js';

interface GenerateFlags {
  model?: string; prompt?: string; maxNewTokens: string; experiment?: string; steer?: string; interveneOn: string;
  seed?: string; temperature?: string; topK?: string; topP?: string; json?: boolean; stopAtEos?: boolean; threads?: string; runtime?: string; variant?: string;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('generate a continuation with and without interventions (greedy by default)')
    .option('--model <ref>', 'model reference (default: the experiment\'s "model")')
    .option('--prompt <text>', 'the prompt (default: the experiment\'s base)')
    .option('--max-new-tokens <n>', 'tokens to generate', '20')
    .option('--experiment <file>', 'experiment JSON whose interventions apply')
    .option('--steer <spec>', 'steering vector: SITES:COEF:SOURCE (token=, diff=, vector=, trained=DAS.json[#k]; e.g. "L2.block_output:4:token= happy"), JSON, or @file.json')
    .option('--intervene-on <where>', 'prompt | generated | both (see docs/generation.md)', 'both')
    .option('--seed <s>', 'sampling seed', '0')
    .option('--temperature <t>', 'sampling temperature (0 = greedy)')
    .option('--top-k <k>', 'sample from the k most likely tokens')
    .option('--top-p <p>', 'sample from the smallest set of tokens with probability ≥ p')
    .option('--stop-at-eos', 'end a continuation at <|endoftext|>')
    .option('--json', 'print JSON: {prompt_ids, original: {ids, text, tokens: [{id, text, prob}]}, intervened: {…}, model, experiment (the generation as a document)}')
    .option('--variant <v>', 'graph variant: fp32, quantized, int8, q4', 'fp32')
    .option(...THREADS_OPTION)
    .option(...RUNTIME_OPTION)
    .action(async (flags: GenerateFlags) => {
      if (flags.experiment && flags.steer) throw new PatchbayError('INPUT_INVALID', 'give --experiment or --steer, not both');
      if (!flags.experiment && !flags.steer) throw new PatchbayError('INPUT_INVALID', 'nothing to intervene with: give --experiment EXP.json or --steer SPEC');
      if (!['prompt', 'generated', 'both'].includes(flags.interveneOn)) {
        throw new PatchbayError('INPUT_INVALID', `--intervene-on ${flags.interveneOn}: expected prompt, generated or both`);
      }
      const exp = flags.experiment ? await readDocument(flags.experiment) : undefined;
      const ref = flags.model ?? exp?.model;
      if (!ref) throw new PatchbayError('INPUT_INVALID', 'no model: pass --model (or set "model" in the experiment)');
      const model = await openForCli(ref, flags);
      const doc = exp ? withPrompt(exp, flags.prompt) : await steerDoc(model, flags);
      const result = await generate(model, doc, {
        maxNewTokens: int(flags.maxNewTokens, '--max-new-tokens'), interveneOn: flags.interveneOn as InterveneOn,
        seed: int(flags.seed ?? '0', '--seed'), temperature: num(flags.temperature), topK: flags.topK === undefined ? undefined : int(flags.topK, '--top-k'), topP: num(flags.topP),
        stopTokens: flags.stopAtEos ? [endOfText(model)].filter((t) => t !== undefined) : undefined,
      }, { files: exp ? await readSideFiles(exp, flags.experiment!) : undefined });
      // tokens: each generated token decoded alone and its probability under the model's own distribution at that step.
      const brief = (c: Continuation) => ({ ids: c.ids, text: c.text ?? '', tokens: c.tokens });
      if (flags.json) {
        // model and experiment (the generation as a document) let the workbench's import show the prompt and settings.
        const out = { prompt_ids: result.prompt_ids, original: brief(result.original), intervened: brief(result.intervened), model: ref,
          experiment: await generationDocument(flags, ref, exp) };
        process.stdout.write(`${JSON.stringify(out)}\n`);
        return;
      }
      const show = (c: Continuation) => c.text ?? c.ids.join(' ');
      const prompt = model.tokenizer?.decode(result.prompt_ids) ?? result.prompt_ids.join(' ');
      process.stdout.write(`prompt:     ${prompt}\noriginal:   ${show(result.original)}\nintervened: ${show(result.intervened)}\n`);
    });
}

/** The run as a generation document (what `patchbay export` takes: generate-script.ts). */
async function generationDocument(flags: GenerateFlags, model: string, exp: ExperimentDoc | undefined): Promise<Record<string, unknown>> {
  const doc: Record<string, unknown> = { kind: 'generate', model, max_new_tokens: int(flags.maxNewTokens, '--max-new-tokens'), intervene_on: flags.interveneOn, stop_at_eos: !!flags.stopAtEos };
  if (flags.prompt !== undefined) doc.prompt = flags.prompt;
  const t = num(flags.temperature);
  if (t !== undefined && t !== 0) doc.temperature = t;
  if (exp) doc.experiment = exp;
  else {
    const text = flags.steer!.startsWith('@') ? await readSpecFile(flags.steer!.slice(1)) : flags.steer!;
    doc.steer = text.trim().startsWith('{') ? JSON.parse(text) as unknown : text;
  }
  return doc;
}

/** The experiment with its base replaced by --prompt (a prompt given as text, or the document's own base). */
function withPrompt(doc: ExperimentDoc, prompt: string | undefined): ExperimentDoc {
  if (prompt === undefined) return doc;
  if (prompt.length === 0) throw new PatchbayError('INPUT_INVALID', '--prompt is empty');
  return { ...doc, base: prompt };
}

async function steerDoc(model: LoadedModel, flags: GenerateFlags): Promise<ExperimentDoc> {
  if (!flags.prompt) throw new PatchbayError('INPUT_INVALID', '--steer needs --prompt');
  const text = flags.steer!.startsWith('@') ? await readSpecFile(flags.steer!.slice(1)) : flags.steer!;
  const spec = await resolveTrainedSteer(parseSteerSpec(text, model.info.dims.nLayers), readTrainedFile);
  return steeringExperiment(model, flags.prompt, spec, await steeringVectors(model, spec));
}

async function readTrainedFile(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (e) {
    throw new PatchbayError('INPUT_INVALID', `cannot read the trained intervention's file ${file}: ${(e as Error).message}`);
  }
}

async function readSpecFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new PatchbayError('INPUT_INVALID', `cannot read ${file}: ${(e as Error).message}`);
  }
}

function int(s: string, flag: string): number {
  const v = Number(s);
  if (!Number.isInteger(v)) throw new PatchbayError('INPUT_INVALID', `${flag} ${s}: expected a whole number`);
  return v;
}

function num(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const v = Number(s);
  if (s.trim() === '' || Number.isNaN(v)) throw new PatchbayError('INPUT_INVALID', `"${s}" is not a number`);
  return v;
}
