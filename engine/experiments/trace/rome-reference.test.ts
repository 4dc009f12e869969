// The causal trace against an independent reference: ROME's procedure in plain PyTorch (tools/bench/rome_reference.py:
// one forward pass per cell, hooks that add the noise and copy clean states), on the same weights with the same
// explicit noise (3 samples): the bundled gpt2-facts and pythia-facts (window 4) and the exporter-made fixtures
// tiny-gpt2 and tiny-gpt-neox in ../shared/testdata/onnx-real/generated (random weights, input ids, window 2).
// Committed in testdata/: the spec (ids, subject, answer, noise) and PyTorch's grids. Tolerance 1e-4 on probabilities.
// Regenerate (from the repo root, any Python with torch, transformers, onnx, onnxruntime; rome_reference.py fails if its
// PyTorch model differs from onnxruntime by more than 1e-4 on logits), for ID gpt2-facts, pythia-facts, tiny-gpt2 or
// tiny-gpt-neox (for the two fixtures first write the spec: python3 tools/bench/rome_fixture_spec.py ID SPEC):
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
import { loadFixture } from '../../test-support/fixtures.js';

interface Spec { input_ids: number[]; subject_range: [number, number]; answer_id: number; kinds: TraceKind[]; window: number; noise: number[][][] }
interface Reference { scores: Record<TraceKind, number[][]>; low_score: number; high_score: number; answer_id: number }

const TOLERANCE = 1e-4;
const read = <T>(name: string) => JSON.parse(readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8')) as T;
const bundled = (id: string) => () => openModel(id, nodeResolver, { bundledIds: bundledIds() });
const fixture = (family: string) => () => Promise.resolve(loadFixture(family));

// effect: how far restoring states moves p(answer) in PyTorch's reference (high − low) at least, so that the trace
// says something against the tolerance. The fixtures' random weights give p(answer) ≈ 0.02, hence a smaller bound.
const MODELS = [
  { id: 'gpt2-facts', open: bundled('gpt2-facts'), effect: 0.05 },
  { id: 'pythia-facts', open: bundled('pythia-facts'), effect: 0.05 },
  { id: 'tiny-gpt2', open: fixture('tiny-gpt2'), effect: 50 * TOLERANCE },
  { id: 'tiny-gpt-neox', open: fixture('tiny-gpt-neox'), effect: 50 * TOLERANCE },
];

describe.each(MODELS)('causal trace vs ROME in PyTorch ($id, explicit noise)', ({ id, open, effect }) => {
  const spec = read<Spec>(`rome-${id}.spec.json`);
  const ref = read<Reference>(`rome-${id}.reference.json`);
  let model: LoadedModel;
  beforeAll(async () => {
    configureRuntime({ provider: 'wasm', numThreads: 1, runtime: 'native' });
    model = await open();
  });
  afterAll(async () => { await graphCache(model).clear(); });

  it.each(['staged', 'batched'] as const)('the %s strategy gives PyTorch\'s three grids, low and high scores within 1e-4', async (strategy) => {
    const r = await causalTrace(model, {
      inputIds: spec.input_ids, subjectRange: spec.subject_range, answerId: spec.answer_id, kinds: spec.kinds,
      window: spec.window, noiseValues: spec.noise, strategy,
    });
    expect(r.answer.id).toBe(ref.answer_id);
    expect(Math.abs(r.low_score - ref.low_score)).toBeLessThan(TOLERANCE);
    expect(Math.abs(r.high_score - ref.high_score)).toBeLessThan(TOLERANCE);
    expect(ref.high_score - ref.low_score).toBeGreaterThan(effect);
    for (const kind of spec.kinds) {
      const got = r.scores[kind]!;
      expect(got.length).toBe(ref.scores[kind].length);
      let worst = 0;
      got.forEach((row, t) => {
        expect(row.length, `${kind} token ${t}`).toBe(ref.scores[kind][t]!.length);
        row.forEach((p, l) => { worst = Math.max(worst, Math.abs(p - ref.scores[kind][t]![l]!)); });
      });
      expect(worst, kind).toBeLessThan(TOLERANCE);
    }
  });
});
