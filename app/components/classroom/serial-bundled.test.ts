// The bundled serial-chain preset (source 0 → source 1 → base) does what its note says on both edition-1 models, in
// the engine the app runs: the chain carries source 0's answer into the base, while the same two sites in parallel
// follow source 1 — with the probabilities the note quotes (Patchbay's Node engine, to 0.01).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { multiSourcePreset } from './presets';
import { defaultExperiment } from '../../link/schema';
import type { MultiSourcePreset } from '../../state/catalog';
import { BUNDLED_DIR, nodeOpenOptions, nodeResolver } from '../../../engine/load/node-resolver';
import { openModel } from '../../../engine/load/open-model';
import { ExperimentSchema } from '../../../engine/experiment/experiment-schema';
import { runExperiment } from '../../../engine/experiment/run-experiment';
import { softmax } from '../../../engine/experiment/top-k';
import { configureRuntime } from '../../../engine/runtime/ort-runtime';

configureRuntime({ provider: 'wasm', numThreads: 1 });

type Chain = MultiSourcePreset & { answers: string[] };

describe('bundled serial-chain presets', () => {
  it.each(['gpt2-facts', 'pythia-facts'])('%s: the chain follows source 0, the same sites in parallel source 1', async (id) => {
    const manifest = JSON.parse(readFileSync(join(BUNDLED_DIR, id, 'patchbay.json'), 'utf8')) as { presets: { multi_source: Chain[] } };
    const chain = manifest.presets.multi_source.find((p) => p.mode === 'serial')!;
    expect(chain).toBeDefined();
    const model = await openModel(id, nodeResolver, nodeOpenOptions());
    const tok = model.tokenizer!;
    const probs = async (mode: 'serial' | 'parallel') => {
      const e = await multiSourcePreset(defaultExperiment(), { ...chain, mode }, model.info.dims.nLayers, async (t) => tok.encode(t));
      const r = await runExperiment(model, ExperimentSchema.parse({ ...e.intervention, options: { full_logits: true } }));
      const p = softmax(r.intervened.logits!);
      return chain.answers.map((a) => p[tok.encode(` ${a}`)[0]!]!);
    };
    const quoted = (label: string) => [...new RegExp(`${label}[^:]*: ([^;]+)`).exec(chain.note!)![1]!.matchAll(/(\d\.\d{3})/g)].map((m) => Number(m[1]));
    const serial = await probs('serial');
    const parallel = await probs('parallel');
    expect(serial.indexOf(Math.max(...serial))).toBe(1);
    expect(parallel.indexOf(Math.max(...parallel))).toBe(2);
    serial.forEach((p, i) => expect(Math.abs(p - quoted('chained')[i]!)).toBeLessThan(0.01));
    parallel.forEach((p, i) => expect(Math.abs(p - quoted('in parallel')[i]!)).toBeLessThan(0.01));
  });
});
