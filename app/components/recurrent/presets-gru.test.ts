// The bundled gru-recall's time-step presets show the paper's point in the engine the app runs: patching layer 1's
// state at t = 2 changes every output from step 2 on; writing only its output Y[2] changes step 2's alone.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_DIR } from '../../../engine/load/node-resolver';
import { configureRuntime } from '../../../engine/runtime/ort-runtime';
import { loadRecurrentModel } from '../../../engine/recurrent/load-recurrent';
import { runGru } from '../../workers/gru-op';
import { gruDoc, presetForm, type TimeStepPreset } from './gru-doc';

describe('gru-recall time-step presets', () => {
  const dir = join(BUNDLED_DIR, 'gru-recall');
  const manifest = JSON.parse(readFileSync(join(dir, 'patchbay.json'), 'utf8')) as { presets: { time_step: TimeStepPreset[] } };
  configureRuntime({ provider: 'wasm', numThreads: 1 });
  const model = loadRecurrentModel({ name: 'gru-recall', model: new Uint8Array(readFileSync(join(dir, 'onnx/model.onnx'))) });
  const run = (p: TimeStepPreset) => runGru(model, gruDoc(presetForm(p)), { onProgress: () => undefined, signal: new AbortController().signal });
  const changedSteps = (r: Awaited<ReturnType<typeof run>>) => r.table.filter((s) => s.original.id !== s.intervened.id).map((s) => s.t);

  it('state: every output from t = 2 on recalls the source; output-only: step 2 alone', async () => {
    const [state, output] = manifest.presets.time_step;
    expect(state!.component).toBe('block_output');
    expect(output!.component).toBe('layer_output');
    const a = await run(state!);
    expect(a.original.prediction).toEqual([3, 1, 5, 5, 5, 5, 5, 5]);
    expect(a.intervened.prediction).toEqual([3, 1, 2, 2, 2, 2, 2, 2]);
    expect(changedSteps(a)).toEqual([2, 3, 4, 5, 6, 7]);
    const b = await run(output!);
    expect(b.intervened.prediction).toEqual([3, 1, 2, 5, 5, 5, 5, 5]);
    expect(changedSteps(b)).toEqual([2]);
    // The per-step table reads the same probabilities as the top-k lists.
    expect(Math.abs(a.table[3]!.intervened.prob - a.intervened.steps[3]!.top_k[0]!.prob)).toBeLessThan(1e-12);
    expect(a.states.map((s) => s.original.length)).toEqual([8, 8]);
  });
});
