// The structure reader on a graph from an old exporter (PyTorch 1.6, opset 11): nodes unsorted, no module scopes,
// LayerNorm decomposed with a Cast inside, Gemm projections, no LM head. Every site of all 12 blocks is found, and
// the values hang together as the architecture says: residual sums, softmax rows, and head outputs = probabilities ·
// values over the fed past and the new token (checked by running the instrumented graph; the graph takes one token).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { decodeModel, encodeForRuntime } from '../onnx/model-file.js';
import { GraphIndex } from '../onnx/graph-index.js';
import { readSkeleton } from './skeleton.js';
import { findSites } from '../sites/find-sites.js';
import { instrument, type SlotSpec } from '../compile/instrument.js';
import { COMPONENTS } from '../sites/components.js';
import { siteId, slotValueNames } from '../sites/site-id.js';
import { Session, configureRuntime } from '../runtime/ort-runtime.js';
import { maxAbsDiff, readBytes, TESTDATA } from '../test-support/fixtures.js';

configureRuntime({ provider: 'wasm', numThreads: 1 });

describe('a PyTorch 1.6 export', () => {
  it('yields every site of every block, with values consistent with a GPT-2 block', async () => {
    const decoded = decodeModel(readBytes(join(TESTDATA, 'ort-testdata-gpt2_past-pytorch1.6-opset11.onnx')));
    const index = new GraphIndex(decoded.proto.graph);
    const read = readSkeleton(index);
    if ('problem' in read) throw new Error(read.problem);
    expect(read.skeleton.blocks).toHaveLength(12);
    expect(read.skeleton.blocks.every((b) => !b.parallel)).toBe(true);
    const { sites, gaps } = findSites(index, read.skeleton);
    expect(gaps).toEqual([]);
    const dims = { nLayers: 12, dModel: 4, nHeads: 2, dHead: 2, dMlp: 16, vocabSize: 20 };
    const specs: SlotSpec[] = [];
    for (let layer = 0; layer < 12; layer++) for (const component of COMPONENTS) if (component !== 'token_embedding' || layer === 0) specs.push({ site: { layer, component }, kind: 'collect' });
    const session = await Session.create(encodeForRuntime(decoded, instrument(decoded.proto, sites, dims, specs)), 'wasm');
    const P = 4; // past tokens, fed; the graph takes one new token at a time
    const pastOf = (l: number) => Float32Array.from({ length: 2 * 2 * P * 2 }, (_, i) => Math.sin(7 * l + i));
    const feeds: Parameters<Session['run']>[0] = { input_ids: { int64: BigInt64Array.from([3], BigInt), dims: [1, 1] } };
    for (let l = 0; l < 12; l++) feeds[`past_${l}`] = { data: pastOf(l), dims: [2, 1, 2, P, 2] };
    const out = await session.run(feeds, specs.map((s) => slotValueNames(siteId(s.site)).value));
    const v = (layer: number, component: (typeof COMPONENTS)[number]) => out[slotValueNames(siteId({ layer, component })).value]!;
    for (let layer = 0; layer < 12; layer++) {
      const sum = v(layer, 'block_input').data.map((x, i) => x + v(layer, 'attention_output').data[i]! + v(layer, 'mlp_output').data[i]!);
      expect(maxAbsDiff(v(layer, 'block_output').data, sum)).toBeLessThan(1e-5);
      const probs = v(layer, 'attention_weight');
      expect(probs.dims).toEqual([1, 2, 1, P + 1]);
      const past = pastOf(layer); // [key|value, batch, head, position, d]
      const vals = v(layer, 'head_value_output'); // [1, 2, 1, 2]: the new token's values
      const z = v(layer, 'head_attention_value_output');
      for (let h = 0; h < 2; h++) {
        const row = probs.data.subarray(h * (P + 1), (h + 1) * (P + 1));
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        for (let j = 0; j < 2; j++) {
          let acc = row[P]! * vals.data[h * 2 + j]!;
          for (let k = 0; k < P; k++) acc += row[k]! * past[((1 * 2 + h) * P + k) * 2 + j]!;
          expect(Math.abs(acc - z.data[h * 2 + j]!)).toBeLessThan(1e-5);
        }
      }
    }
    await session.release();
  });
});
