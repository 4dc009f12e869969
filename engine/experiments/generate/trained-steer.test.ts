// Steering vectors from a saved trained intervention: the spec syntax, column k of the rotation as a unit vector
// (checked against the weights written by saveTrained), the side file found beside the JSON, and the refusals.
import { describe, expect, it } from 'vitest';
import { saveTrained } from '../../training/trained-io.js';
import type { TrainedCell } from '../../training/das.js';
import { parseSteerSpec } from './steer-spec.js';
import { resolveTrainedSteer, trainedDirection } from './trained-steer.js';

/** A LowRank cell, D = 3, r = 2: columns (3, 0, 4) and (0, 2, 0), row-major. */
function cell(over: Partial<TrainedCell> = {}): TrainedCell {
  return {
    layer: 1, position: -1, component: 'block_output', type: 'LowRankRotatedSpaceIntervention', rank: 2,
    weight: Float32Array.from([3, 0, 0, 2, 4, 0]), weightCols: 2, params: {}, losses: [], ...over,
  } as TrainedCell;
}

function files(c: TrainedCell, dir = 'out/'): (path: string) => Promise<Uint8Array> {
  const { json, bytes } = saveTrained(c, 'L1.f32');
  const all: Record<string, Uint8Array> = { [`${dir}L1.json`]: new TextEncoder().encode(JSON.stringify(json)), [`${dir}L1.f32`]: bytes };
  return async (p) => {
    if (!all[p]) throw new Error(`no file ${p}`);
    return all[p]!;
  };
}

describe('steering from a trained intervention', () => {
  it('parses trained=PATH[#k] and the JSON form', () => {
    expect(parseSteerSpec('L1.block_output:3:trained=out/L1.json', 6).source).toEqual({ kind: 'trained', file: 'out/L1.json', column: 0 });
    expect(parseSteerSpec('L1-2.block_output:-2:trained=out/L1.json#1', 6)).toMatchObject({ layers: [1, 2], coefficient: -2, source: { column: 1 } });
    expect(parseSteerSpec('{"layers": [1], "coefficient": 2, "trained": "a.json", "column": 1}', 6).source).toEqual({ kind: 'trained', file: 'a.json', column: 1 });
    expect(() => parseSteerSpec('L1.block_output:3:trained=', 6)).toThrow(/needs the path/);
  });

  it('column k of the rotation, normalised; the side file is read beside the JSON', async () => {
    const spec = parseSteerSpec('L1.block_output:3:trained=out/L1.json', 6);
    const r = await resolveTrainedSteer(spec, files(cell()));
    expect(r).toEqual({ ...spec, source: { kind: 'vector', values: [0.6, 0, 0.8] } });
    const second = await resolveTrainedSteer(parseSteerSpec('L1.block_output:3:trained=out/L1.json#1', 6), files(cell()));
    expect(second.source).toEqual({ kind: 'vector', values: [0, 1, 0] });
    const plain = parseSteerSpec('L1.block_output:3:token= happy', 6);
    expect(await resolveTrainedSteer(plain, files(cell()))).toBe(plain);
  });

  it('refuses what holds no direction, with what was found', async () => {
    const { json, bytes } = saveTrained(cell(), 'L1.f32');
    expect(() => trainedDirection(json, { 'L1.f32': bytes }, 2)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', message: expect.stringMatching(/2 direction\(s\) \(0–1\)/) }));
    const mask = saveTrained(cell({ type: 'SigmoidMaskIntervention', weight: Float32Array.from([1, 0, 1]), weightCols: 1, rank: 3 }), 'm.f32');
    expect(() => trainedDirection(mask.json, { 'm.f32': mask.bytes })).toThrow(expect.objectContaining({ code: 'CONFIG_UNSUPPORTED' }));
    await expect(resolveTrainedSteer(parseSteerSpec('L1.mlp_output:3:trained=out/L1.json', 6), files(cell()))).rejects.toThrow(/trained at block_output \(layer 1\)/);
    expect(() => trainedDirection(json, {})).toThrow(expect.objectContaining({ code: 'TRAINING_INVALID' }));
  });
});
