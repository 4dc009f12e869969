// `patchbay trace`: causal tracing (Meng et al. 2022) of one prompt; writes the trace as JSON (docs/causal-tracing.md).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { PatchbayError } from '../../engine/errors.js';
import { causalTrace, type TraceKind, type TraceOptions, type TraceProgress } from '../../engine/experiments/causal-trace.js';
import { nodeOpenOptions, nodeResolver } from '../../engine/load/node-resolver.js';
import { openModel } from '../../engine/load/open-model.js';
import { configureCliRuntime, RUNTIME_OPTION, THREADS_OPTION } from './open.js';
import { graphCache } from '../../engine/compile/graph-cache.js';
import { checkOutputPath, writeOutput } from './output-path.js';
import { readJson, withNoiseFile } from './document.js';
import { parseTraceDocument, traceDocumentOptions } from '../../engine/export/trace-document.js';

interface TraceFlags {
  model?: string;
  prompt?: string;
  subject?: string;
  inputIds?: string;
  subjectRange?: string;
  answer?: string;
  answerId?: string;
  samples: string;
  noise: string;
  noiseFile?: string;
  noiseSubject: string[];
  uniform?: boolean;
  window: string;
  kinds: string;
  seed: string;
  replaceWith?: string;
  replaceIds?: string;
  strategy: string;
  batchRows?: string;
  memoryMb?: string;
  threads: string;
  runtime: string;
  saveNoise?: string;
  out?: string;
  progress?: boolean;
}

export function registerTrace(program: Command): void {
  program
    .command('trace')
    .description('causal tracing: restore clean states of a noised-subject run, cell by cell (token × layer)')
    .argument('[trace]', 'a trace document ({"kind": "trace", …}, as `patchbay export` takes it): it replaces the flags that define the trace')
    .option('--model <ref>', 'bundled model id, folder, .onnx file, URL or Hugging Face repo id (default: the document\'s "model")')
    .option('--prompt <text>', 'the prompt (needs the model\'s tokenizer)')
    .option('--subject <text>', 'the subject, as it occurs in the prompt')
    .option('--input-ids <ids>', 'the prompt as token ids, comma-separated')
    .option('--subject-range <b:e>', 'the subject as a token range [b, e)')
    .option('--answer <text>', 'the answer token as text (exactly one token); default: the clean top-1 token')
    .option('--answer-id <n>', 'the answer token id')
    .option('--samples <n>', 'corrupted runs per cell', '10')
    .option('--noise <s3|uN|float>', 'noise scale: a number, sN = N × the std of the subject token embeddings, or uN = uniform of scale N', 's3')
    .option('--noise-file <file.json>', 'explicit noise [samples][subject tokens][d_model] (as written by --save-noise)')
    .option('--noise-subject <text>', 'a subject to estimate the std from (repeatable; default: the traced subject)', collect, [])
    .option('--uniform', 'uniform noise in [−scale, scale) instead of Gaussian')
    .option('--window <n>', 'layers restored around each layer for mlp and attn', '10')
    .option('--kinds <list>', 'which grids: resid, mlp, attn', 'resid,mlp,attn')
    .option('--seed <n>', 'seed of the noise generator', '1')
    .option('--replace-with <text>', 'corrupt by token replacement: this prompt (same token length) instead of noise')
    .option('--replace-ids <ids>', 'token replacement source as token ids, comma-separated')
    .option('--strategy <s>', 'auto | staged | batched', 'auto')
    .option('--batch-rows <n>', 'rows per run (default: from the memory budget)')
    .option('--memory-mb <n>', 'memory budget per run in MB', '256')
    .option(...THREADS_OPTION)
    .option(...RUNTIME_OPTION)
    .option('--save-noise <file.json>', 'also write the noise values used')
    .option('--out <file.json>', 'write the trace here instead of stdout')
    .option('--progress', 'print progress on stderr')
    .action(async (file: string | undefined, flags: TraceFlags) => {
      configureCliRuntime(flags);
      const doc = file ? parseTraceDocument(await withNoiseFile(await readJson(file), file)) : null;
      const fromFlags = traceOptions(flags);
      // A document defines the trace; the flags still say how to run it (strategy, batch rows, memory, noise output).
      const opts = doc ? { ...traceDocumentOptions(doc), strategy: fromFlags.strategy, batchRows: fromFlags.batchRows, memoryBudgetMB: fromFlags.memoryBudgetMB, returnNoise: fromFlags.returnNoise } : fromFlags;
      const ref = flags.model ?? doc?.model;
      if (!ref) throw bad('no model: pass --model, or set "model" in the trace document');
      checkOutputPath(flags.out, '--out');
      checkOutputPath(flags.saveNoise, '--save-noise');
      const model = await openModel(ref, nodeResolver, nodeOpenOptions());
      const result = await causalTrace(model, opts, { onProgress: flags.progress ? printProgress : undefined });
      if (flags.saveNoise) writeOutput(flags.saveNoise, `${JSON.stringify(result.noise.values ?? [])}\n`, '--save-noise');
      delete result.noise.values; // in the --save-noise file, not in the trace
      const json = `${JSON.stringify(result)}\n`;
      if (flags.out) writeOutput(flags.out, json, '--out');
      else process.stdout.write(json);
      await graphCache(model).clear();
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Turns the command line into TraceOptions; malformed values are TRACE_INVALID errors. */
export function traceOptions(f: TraceFlags): TraceOptions {
  const opts: TraceOptions = {
    samples: int(f.samples, '--samples'),
    window: int(f.window, '--window'),
    seed: int(f.seed, '--seed'),
    kinds: f.kinds.split(',').map((k) => k.trim()).filter(Boolean) as TraceKind[],
    uniform: !!f.uniform,
    strategy: f.strategy as TraceOptions['strategy'],
    memoryBudgetMB: megabytes(f.memoryMb ?? '256'),
    returnNoise: !!f.saveNoise,
  };
  if (!['auto', 'staged', 'batched'].includes(f.strategy)) throw bad(`--strategy must be auto, staged or batched; got "${f.strategy}"`);
  if (f.prompt !== undefined) opts.prompt = f.prompt;
  if (f.inputIds !== undefined) opts.inputIds = ids(f.inputIds, '--input-ids');
  if (f.subject !== undefined) opts.subject = f.subject;
  if (f.subjectRange !== undefined) opts.subjectRange = range(f.subjectRange);
  if (f.answer !== undefined) opts.answerText = f.answer;
  if (f.answerId !== undefined) opts.answerId = int(f.answerId, '--answer-id');
  opts.noise = /^\d/.test(f.noise) ? Number(f.noise) : f.noise;
  if (f.noiseFile) opts.noiseValues = readNoise(f.noiseFile);
  if (f.noiseSubject.length) opts.noiseSubjects = f.noiseSubject;
  if (f.replaceWith !== undefined) opts.replaceWith = f.replaceWith;
  if (f.replaceIds !== undefined) opts.replaceIds = ids(f.replaceIds, '--replace-ids');
  if (f.batchRows !== undefined) opts.batchRows = int(f.batchRows, '--batch-rows');
  return opts;
}

function bad(message: string): PatchbayError {
  return new PatchbayError('TRACE_INVALID', message);
}

function int(s: string, flag: string): number {
  const n = Number(s);
  if (!/^-?\d+$/.test(s.trim()) || !Number.isSafeInteger(n)) throw bad(`${flag} must be a whole number; got "${s}"`);
  return n;
}

/** --memory-mb: a positive number ("abc", "-5", "0" and "" are refused, not read as NaN or a negative budget). */
function megabytes(s: string): number {
  const n = Number(s);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(s) || !(n > 0)) throw bad(`--memory-mb must be a positive number of megabytes; got "${s}"`);
  return n;
}

function ids(s: string, flag: string): number[] {
  return s.split(',').map((x) => int(x, flag));
}

function range(s: string): [number, number] {
  const m = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(s);
  if (!m) throw bad(`--subject-range must look like B:E (token indices, end exclusive); got "${s}"`);
  return [Number(m[1]), Number(m[2])];
}

function readNoise(file: string): number[][][] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw bad(`--noise-file ${file}: ${(e as Error).message}`);
  }
  const values = Array.isArray(data) ? data : (data as { values?: unknown })?.values;
  if (!Array.isArray(values)) throw bad(`--noise-file ${file} must hold [samples][subject tokens][d_model] numbers (or {"values": …})`);
  return values as number[][][];
}

function printProgress(p: TraceProgress): void {
  process.stderr.write(`trace: ${p.stage} ${p.done}/${p.total}\n`);
}
