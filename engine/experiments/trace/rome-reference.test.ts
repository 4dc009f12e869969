// The causal trace against an independent reference: ROME's procedure in plain PyTorch (tools/bench/rome_reference.py:
// one forward pass per cell, hooks that add the noise and copy clean states), run on the same bundled gpt2-facts and
// pythia-facts weights with the same explicit noise (3 samples, window 4). Committed in testdata/: the spec (ids,
// subject, answer, noise) and PyTorch's grids. Tolerance 1e-4 on probabilities (fp32 on both sides).
// Regenerate (from the repo root, any Python with torch, transformers, onnx), for ID gpt2-facts or pythia-facts:
//   python3 tools/bench/rome_reference.py engine/experiments/trace/testdata/rome-ID.spec.json \
//     engine/experiments/trace/testdata/rome-ID.reference.json
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { causalTrace, type TraceKind } from '../causal-trace.js';
import type { LoadedModel } from '../../load/load-model.js';
import { openModel } from '../../load/open-model.js';
import { bundledIds, nodeResolver } from '../../load/node-resolver.js';
import { configureRuntime } from '../../runtime/ort-runtime.js';
import { graphCache } from '../../compile/graph-cache.js';

interface Spec { input_ids: number[]; subject_range: [number, number]; answer_id: number; kinds: TraceKind[]; window: number; noise: number[][][] }
interface Reference { scores: Record<TraceKind, number[][]>; low_score: number; high_score: number; answer_id: number }

const read = <T>(name: string) => JSON.parse(readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8')) as T;

describe.each(['gpt2-facts', 'pythia-facts'])('causal trace vs ROME in PyTorch (%s, explicit noise)', (id) => {
  const spec = read<Spec>(`rome-${id}.spec.json`);
  const ref = read<Reference>(`rome-${id}.reference.json`);
  let model: LoadedModel;
  beforeAll(async () => {
    configureRuntime({ provider: 'wasm', numThreads: 1, runtime: 'native' });
    model = await openModel(id, nodeResolver, { bundledIds: bundledIds() });
  });
  afterAll(async () => { await graphCache(model).clear(); });

  it.each(['staged', 'batched'] as const)('the %s strategy gives PyTorch\'s three grids, low and high scores within 1e-4', async (strategy) => {
    const r = await causalTrace(model, {
      inputIds: spec.input_ids, subjectRange: spec.subject_range, answerId: spec.answer_id, kinds: spec.kinds,
      window: spec.window, noiseValues: spec.noise, strategy,
    });
    expect(r.answer.id).toBe(ref.answer_id);
    expect(Math.abs(r.low_score - ref.low_score)).toBeLessThan(1e-4);
    expect(Math.abs(r.high_score - ref.high_score)).toBeLessThan(1e-4);
    // The trace says something: restoring states moves p(answer) by more than the tolerance, somewhere.
    expect(ref.high_score - ref.low_score).toBeGreaterThan(0.05);
    for (const kind of spec.kinds) {
      const got = r.scores[kind]!;
      expect(got.length).toBe(ref.scores[kind].length);
      let worst = 0;
      got.forEach((row, t) => row.forEach((p, l) => { worst = Math.max(worst, Math.abs(p - ref.scores[kind][t]![l]!)); }));
      expect(worst, kind).toBeLessThan(1e-4);
    }
  });
});
