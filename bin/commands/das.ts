// `patchbay das`: distributed alignment search beside linear probes, cell by cell (layer × position); writes the
// result JSON of docs/das.md. The contract: --model REF --pairs PAIRS.json [--component] [--layers all|0,2,5]
// [--positions all|last|3,4] [--rank 1] [--steps N] [--seed S] [--out RESULT.json].
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { PatchbayError } from '../../engine/errors.js';
import { isComponent } from '../../engine/sites/components.js';
import { dasGrid, tokenizePairs, type DasGridOptions } from '../../engine/training/das-grid.js';
import { saveTrained, trainedPyveneConfig } from '../../engine/training/trained-io.js';
import { TRAINABLE_TYPES, type TrainableType } from '../../engine/training/parametrizations.js';
import { graphCache } from '../../engine/compile/graph-cache.js';
import { openForCli, RUNTIME_OPTION, THREADS_OPTION } from './open.js';
import { checkOutputPath, writeOutput } from './output-path.js';

interface DasFlags {
  model: string; pairs: string; component: string; layers: string; positions: string; rank: string; steps: string;
  seed: string; batch: string; intervention: string; lr: string; testFraction: string; out?: string; saveDir?: string; progress?: boolean;
  threads: string; runtime: string;
}

export function registerDas(program: Command): void {
  program
    .command('das')
    .description('train 1-D (rank-r) DAS subspaces per (layer, position) on counterfactual pairs; IIA beside probe accuracy')
    .requiredOption('--model <ref>', 'bundled model id, folder, .onnx file, URL or Hugging Face repo id')
    .requiredOption('--pairs <file.json>', '[{"base", "source", "base_label", "source_label"}, …] (labels: one token each)')
    .option('--component <name>', 'the site component', 'block_output')
    .option('--layers <list>', 'all, or layer indices: 0,2,5', 'all')
    .option('--positions <list>', 'all, last, or base token indices: 3,4', 'all')
    .option('--rank <n>', 'subspace dimension (low_rank_dimension; interchange_dim for RotatedSpace)', '1')
    .option('--intervention <type>', `what to train: ${TRAINABLE_TYPES.join(', ')}`, 'LowRankRotatedSpaceIntervention')
    .option('--steps <n>', 'training steps (Adam)', '100')
    .option('--seed <n>', 'seed of the split, the initial subspaces and the batches', '0')
    .option('--batch <n>', 'pairs per step and cell', '16')
    .option('--lr <x>', 'Adam learning rate', '0.01')
    .option('--test-fraction <x>', 'share of pairs held out for IIA and probe accuracy', '0.2')
    .option('--save-dir <folder>', 'also save every trained intervention (JSON + .f32 side file + pyvene config.json)')
    .option(...THREADS_OPTION)
    .option(...RUNTIME_OPTION)
    .option('--out <file.json>', 'write the result here instead of stdout')
    .option('--progress', 'print progress on stderr')
    .action(async (flags: DasFlags) => {
      const opts = dasOptions(flags);
      checkOutputPath(flags.out, '--out');
      const raw = readPairs(flags.pairs);
      const model = await openForCli(flags.model, flags);
      const pairs = tokenizePairs(model, raw);
      const result = await dasGrid(model, pairs, {
        ...opts,
        onProgress: flags.progress ? (p) => {
          if (p.train && (p.train.step % 10 === 0 || p.train.step === p.train.steps)) {
            const mean = p.train.loss.reduce((a, b) => a + b, 0) / p.train.loss.length;
            process.stderr.write(`step ${p.train.step}/${p.train.steps}  mean loss ${mean.toFixed(3)}\n`);
          } else if (!p.train) process.stderr.write(`${p.phase}…\n`);
        } : undefined,
      });
      if (flags.saveDir) {
        result.trained.forEach((cell, i) => {
          const stem = `L${cell.layer}.${cell.component}.pos${cell.position}`;
          const { json, bytes } = saveTrained(cell, `${stem}.f32`, { model: flags.model, iia: result.cells[i]!.iia });
          writeFileSync(join(flags.saveDir!, `${stem}.json`), `${JSON.stringify(json)}\n`);
          writeFileSync(join(flags.saveDir!, `${stem}.f32`), bytes);
          writeFileSync(join(flags.saveDir!, `${stem}.pyvene.json`), `${JSON.stringify(trainedPyveneConfig(cell))}\n`);
        });
      }
      const { trained: _trained, ...out } = result;
      const json = `${JSON.stringify({ model: flags.model, pairs: basename(flags.pairs), ...out })}\n`;
      if (flags.out) writeOutput(flags.out, json, '--out');
      else process.stdout.write(json);
      await graphCache(model).clear();
    });
}

function readPairs(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PatchbayError('TRAINING_INVALID', `could not read --pairs ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PatchbayError('TRAINING_INVALID', `--pairs ${path} is not JSON: ${(e as Error).message}`);
  }
}

const bad = (message: string) => new PatchbayError('TRAINING_INVALID', message);

function int(s: string, flag: string, min: number): number {
  const n = Number(s);
  if (!/^-?\d+$/.test(s.trim()) || !Number.isSafeInteger(n) || n < min) throw bad(`${flag} must be a whole number ≥ ${min}; got "${s}"`);
  return n;
}

function num(s: string, flag: string, lo: number, hi: number): number {
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n) || n <= lo || n >= hi) throw bad(`${flag} must be a number in (${lo}, ${hi}); got "${s}"`);
  return n;
}

function list(s: string, flag: string, words: string[]): string | number[] {
  if (words.includes(s.trim())) return s.trim();
  const parts = s.split(',').map((x) => x.trim());
  return parts.map((x) => {
    if (!/^-?\d+$/.test(x)) throw bad(`${flag} must be ${words.join(', ')} or indices like 0,2,5; got "${s}"`);
    return Number(x);
  });
}

/** Turns the command line into DasGridOptions; malformed values are TRAINING_INVALID errors. */
export function dasOptions(f: DasFlags): DasGridOptions {
  if (!isComponent(f.component)) throw bad(`--component "${f.component}" is not a component (e.g. block_output, mlp_output, attention_output)`);
  if (!TRAINABLE_TYPES.includes(f.intervention as TrainableType)) throw bad(`--intervention must be one of ${TRAINABLE_TYPES.join(', ')}; got "${f.intervention}"`);
  return {
    component: f.component,
    type: f.intervention as TrainableType,
    layers: list(f.layers, '--layers', ['all']) as DasGridOptions['layers'],
    positions: list(f.positions, '--positions', ['all', 'last']) as DasGridOptions['positions'],
    rank: int(f.rank, '--rank', 1),
    steps: int(f.steps, '--steps', 1),
    seed: int(f.seed, '--seed', 0),
    batchSize: int(f.batch, '--batch', 1),
    lr: num(f.lr, '--lr', 0, 10),
    testFraction: num(f.testFraction, '--test-fraction', 0, 1),
  };
}
