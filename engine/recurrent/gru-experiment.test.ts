// Time-step interventions on exported GRUs against PyTorch references: tiny-gru's propagated state zeroing and
// output-only zeroing (every step, 1e-4), and the bundled gru-recall's state patches from a source run (the steps
// where its reference follows the same definition) and output-only zeroing. Causality: steps before t never change.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TESTDATA, maxAbsDiff } from '../test-support/fixtures.js';
import { BUNDLED_DIR } from '../load/node-resolver.js';
import { configureRuntime } from '../runtime/ort-runtime.js';
import { loadRecurrentModel } from './load-recurrent.js';
import { parseGruExperiment } from './gru-document.js';
import { runGruExperiment, type GruPrediction } from './gru-experiment.js';

interface Ref { x: number[][][]; h0: number[][][]; logits: number[][][]; layer0_Y: number[][][]; layer1_Y: number[][][]; interventions: Record<string, { logits: number[][][]; source_x?: number[][][] }> }

function open(dir: string, file: string) {
  configureRuntime({ provider: 'wasm', numThreads: 1 });
  const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Ref;
  const model = loadRecurrentModel({ name: dir, model: new Uint8Array(readFileSync(join(dir, file))) });
  return { ref, model };
}

const logits = (p: GruPrediction) => p.steps.map((s) => s.logits!);

/** Max |difference| per step between our logits and the reference's. */
function stepDiffs(ours: number[][], want: number[][]): number[] {
  return ours.map((l, t) => maxAbsDiff(l, want[t]!));
}

describe('GRU time-step interventions: tiny-gru', () => {
  const { ref, model } = open(join(TESTDATA, 'generated/tiny-gru'), 'model.onnx');
  const base = { inputs: { x: ref.x, h0: ref.h0 } };
  const run = (component: string) => runGruExperiment(model, parseGruExperiment({
    base, config: { representations: [{ layer: 0, component, intervention_type: 'ZeroIntervention' }] }, unit_locations: { base: 2 }, options: { full_logits: true },
  }));

  it('finds the layers and sizes', () => {
    expect(model.info.dims).toEqual({ nLayers: 2, hidden: 16, inputSize: 8, outputSize: 4 });
  });

  it('state zeroed at t = 2 (block_output, the node split at t): every step equals PyTorch, later steps change', async () => {
    const r = await run('block_output');
    expect(Math.max(...stepDiffs(logits(r.original), ref.logits[0]!))).toBeLessThan(1e-4);
    expect(Math.max(...stepDiffs(logits(r.intervened), ref.interventions.zero_layer0_state_at_t2_propagated!.logits[0]!))).toBeLessThan(1e-4);
    expect(stepDiffs(logits(r.intervened), logits(r.original)).slice(0, 2).every((d) => d < 1e-6)).toBe(true);
    expect(stepDiffs(logits(r.intervened), logits(r.original))[4]).toBeGreaterThan(1e-3);
  });

  it('output only (layer_output: Y[t]) equals PyTorch, and differs from the propagated state intervention after t', async () => {
    const out = await run('layer_output');
    const state = await run('block_output');
    expect(Math.max(...stepDiffs(logits(out.intervened), ref.interventions.zero_layer0_output_at_t2_only!.logits[0]!))).toBeLessThan(1e-4);
    expect(maxAbsDiff(logits(out.intervened)[3]!, logits(state.intervened)[3]!)).toBeGreaterThan(1e-3);
  });
});

describe('GRU time-step interventions: bundled gru-recall', () => {
  const { ref, model } = open(join(BUNDLED_DIR, 'gru-recall'), 'onnx/model.onnx');
  const source = { inputs: { x: ref.interventions.patch_state_at_t2_from_source!.source_x!, h0: ref.h0 } };
  const patch = (layers: number[]) => runGruExperiment(model, parseGruExperiment({
    base: '3 1 5 0 7 2 6 4', sources: layers.map(() => source),
    config: { representations: layers.map((layer) => ({ layer, component: 'block_output', intervention_type: 'VanillaIntervention' })) },
    unit_locations: { 'sources->base': [layers.map(() => [[2]]), layers.map(() => [[2]])] }, options: { full_logits: true },
  }));

  it('symbols read as one-hot steps: the original matches PyTorch and recalls the step-2 symbol', async () => {
    const r = await patch([1]);
    expect(Math.max(...stepDiffs(logits(r.original), ref.logits[0]!))).toBeLessThan(1e-4);
    expect(r.original.prediction).toEqual([3, 1, 5, 5, 5, 5, 5, 5]);
  });

  it('both layers\' state at t = 2 from the source: from t = 2 on equal to PyTorch, every later output becomes the source\'s symbol', async () => {
    const r = await patch([0, 1]);
    // The reference also swaps in the source's outputs before t; an intervention at t leaves those steps alone.
    expect(Math.max(...stepDiffs(logits(r.intervened), ref.interventions.patch_state_at_t2_from_source!.logits[0]!).slice(2))).toBeLessThan(1e-4);
    expect(Math.max(...stepDiffs(logits(r.intervened), logits(r.original)).slice(0, 2))).toBeLessThan(1e-6);
    expect(r.intervened.prediction).toEqual([3, 1, 2, 2, 2, 2, 2, 2]);
  });

  it('layer 1\'s state at t = 2: steps after t equal PyTorch (its reference keeps the output at t itself unchanged)', async () => {
    const r = await patch([1]);
    expect(Math.max(...stepDiffs(logits(r.intervened), ref.interventions.patch_layer1_state_at_t2_from_source!.logits[0]!).slice(3))).toBeLessThan(1e-4);
  });

  it('zeroing layer 0\'s output Y[2] only equals PyTorch at every step', async () => {
    const r = await runGruExperiment(model, parseGruExperiment({
      base: { input_ids: [3, 1, 5, 0, 7, 2, 6, 4] }, config: { representations: [{ layer: 0, component: 'layer_output', intervention_type: 'ZeroIntervention' }] },
      unit_locations: { base: 2 }, options: { full_logits: true },
    }));
    expect(Math.max(...stepDiffs(logits(r.intervened), ref.interventions.zero_layer0_output_at_t2_only!.logits[0]!))).toBeLessThan(1e-4);
  });

  it('states: every layer\'s original state equals PyTorch\'s Y (1e-4); a state patch writes the source\'s state at t and changes later steps; output-only changes only Y[t]', async () => {
    const doc = (component: string, intervention_type = 'VanillaIntervention') => parseGruExperiment({
      base: '3 1 5 0 7 2 6 4', sources: ['6 4 2 7 1 0 3 5'], config: { representations: [{ layer: 1, component, intervention_type }] },
      unit_locations: { 'sources->base': 2 },
    });
    const state = await runGruExperiment(model, doc('block_output'), { states: true });
    const states = state.states!;
    expect(states.map((s) => s.layer)).toEqual([0, 1]);
    expect(maxAbsDiff(states[0]!.original.flat(), ref.layer0_Y[0]!.flat())).toBeLessThan(1e-4);
    expect(maxAbsDiff(states[1]!.original.flat(), ref.layer1_Y[0]!.flat())).toBeLessThan(1e-4);
    const src = await runGruExperiment(model, parseGruExperiment({ base: '6 4 2 7 1 0 3 5', config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'ZeroIntervention' }] }, unit_locations: { base: 0 } }), { states: true });
    expect(maxAbsDiff(states[1]!.intervened[2]!, src.states![1]!.original[2]!)).toBeLessThan(1e-6);
    const changed = (s: { original: number[][]; intervened: number[][] }) => s.original.map((row, t) => maxAbsDiff(row, s.intervened[t]!) > 1e-6);
    expect(changed(states[0]!)).toEqual(Array(8).fill(false));
    expect(changed(states[1]!)).toEqual([false, false, true, true, true, true, true, true]);
    const out = await runGruExperiment(model, doc('layer_output', 'ZeroIntervention'), { states: true });
    expect(changed(out.states![1]!)).toEqual([false, false, true, false, false, false, false, false]);
    expect(out.states![1]!.intervened[2]!.every((v) => v === 0)).toBe(true);
    expect(out.intervened.prediction.filter((p, t) => p !== out.original.prediction[t]).length).toBeLessThanOrEqual(1);
  });

  it('fails with codes: a state after the last step, a bad symbol, a layer out of range', async () => {
    const doc = (over: Record<string, unknown>) => parseGruExperiment({ base: '3 1 5', config: { representations: [{ layer: 0, component: 'block_output', intervention_type: 'ZeroIntervention' }] }, unit_locations: { base: 2 }, ...over });
    await expect(runGruExperiment(model, doc({}))).rejects.toMatchObject({ code: 'LOCATION_OUT_OF_RANGE' });
    await expect(runGruExperiment(model, doc({ base: '3 9 5 1' }))).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(runGruExperiment(model, doc({ base: '1 2 3 4', config: { representations: [{ layer: 2, component: 'block_output', intervention_type: 'ZeroIntervention' }] } }))).rejects.toMatchObject({ code: 'LAYER_OUT_OF_RANGE' });
    expect(() => parseGruExperiment({ base: '1', config: { representations: [{ layer: 0, component: 'mlp_output' }] }, unit_locations: { base: 0 } })).toThrow(expect.objectContaining({ code: 'EXPERIMENT_INVALID' }));
  });
});
