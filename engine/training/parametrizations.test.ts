// Each parametrisation's chain rule (d loss/dθ from d loss/dU, d loss/dVᵀ) against central differences of a test
// function of (U, Vᵀ), its retraction, and pyvene's temperature schedule; then short trainings of every type on the
// GPT-2 fixture, evaluated and round-tripped through save / load.
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../test-support/fixtures.js';
import { seededRandom } from './linalg.js';
import { boundlessTemperature, parametrization, projectionOf, TRAINABLE_TYPES } from './parametrizations.js';
import { evaluateIia, trainDas, type DasPair } from './das.js';
import { loadTrained, saveTrained } from './trained-io.js';

describe('parametrizations', () => {
  const d = 6;
  for (const type of TRAINABLE_TYPES) {
    it(`${type}: the chain rule matches central differences`, () => {
      const p = parametrization(type, d, 2);
      const rnd = seededRandom(11);
      const theta = p.init(rnd);
      if (type === 'BoundlessRotatedSpaceIntervention') theta[d * d] = 0.45;
      const at = { step: 95, steps: 100 }; // T ≈ 2.6: a soft boundary, so b has a gradient
      const a = Float64Array.from({ length: d * p.cols }, rnd);
      const b = Float64Array.from({ length: d * p.cols }, rnd);
      // f(U, Vᵀ) = Σ a⊙U + Σ b⊙Vᵀ + ½ Σ U²: dU = a + U, dVᵀ = b
      const f = (th: Float64Array) => {
        const { u, vt } = p.uv(th, at);
        let s = 0;
        for (let i = 0; i < u.length; i++) s += a[i]! * u[i]! + b[i]! * vt[i]! + 0.5 * u[i]! ** 2;
        return s;
      };
      const { u } = p.uv(theta, at);
      const g = p.grad(theta, Float64Array.from(a, (x, i) => x + u[i]!), b, at);
      for (const i of [0, 3, 7, theta.length - 1].filter((i) => i < theta.length)) {
        const h = 1e-6;
        const plus = Float64Array.from(theta); plus[i]! += h;
        const minus = Float64Array.from(theta); minus[i]! -= h;
        expect(g[i]!, `θ[${i}]`).toBeCloseTo((f(plus) - f(minus)) / (2 * h), 6);
      }
    });
  }

  it('anneals the Boundless temperature from 50 to 0.1 as pyvene schedules it', () => {
    expect(boundlessTemperature({ step: 0, steps: 11 })).toBeCloseTo(50, 10);
    expect(boundlessTemperature({ step: 5, steps: 11 })).toBeCloseTo(25.05, 10);
    expect(boundlessTemperature({ step: 10, steps: 11 })).toBeCloseTo(0.1, 10);
  });

  it('RotatedSpace exports a full orthogonal matrix whose first k columns are the trained ones', () => {
    const p = parametrization('RotatedSpaceIntervention', d, 2);
    const theta = p.init(seededRandom(2));
    const e = p.export(theta, seededRandom(3));
    expect(e.params).toEqual({ interchange_dim: 2 });
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
      let dot = 0;
      for (let r = 0; r < d; r++) dot += e.matrix[r * d + i]! * e.matrix[r * d + j]!;
      expect(dot).toBeCloseTo(i === j ? 1 : 0, 5);
    }
    const back = projectionOf('RotatedSpaceIntervention', e.matrix, d, d, e.params);
    expect(Array.from(back.u)).toEqual(Array.from(theta).map((x) => expect.closeTo(x, 6)));
  });
});

describe('training every type on the fixture', () => {
  const model = loadFixture('tiny-gpt2');
  const V = model.info.dims.vocabSize;
  const rnd = seededRandom(5);
  const ids = () => Array.from({ length: 4 }, () => Math.floor((rnd() + 0.5) * (V - 1)) + 1);
  const pairs: DasPair[] = Array.from({ length: 12 }, (_, i) => ({ base: ids(), source: ids(), baseLabel: 1 + (i % 2), sourceLabel: 2 - (i % 2) }));
  for (const type of TRAINABLE_TYPES) {
    it(`${type}: trains, evaluates, saves and loads`, async () => {
      const [cell] = await trainDas(model, [{ layer: 1, position: -1 }], pairs, { type, rank: 2, steps: 8, batchSize: 6, lr: 0.05, seed: 1 });
      expect(cell!.losses.slice(-2).reduce((a, b) => a + b)).toBeLessThan(cell!.losses.slice(0, 2).reduce((a, b) => a + b));
      const [iia] = await evaluateIia(model, [cell!], pairs);
      expect(iia).toBeGreaterThanOrEqual(0);
      const { json, bytes } = saveTrained(cell!, 'w.f32');
      const back = loadTrained(JSON.parse(JSON.stringify(json)), { 'w.f32': bytes });
      expect(back).toEqual(cell);
      expect(await evaluateIia(model, [back], pairs)).toEqual([iia]);
    });
  }
});
