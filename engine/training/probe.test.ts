// Probes on synthetic data with a known answer: a linearly separable label is found, a label independent of the
// features is not, and the shuffled-label control stays near chance.
import { describe, expect, it } from 'vitest';
import { gaussian, seededRandom } from './linalg.js';
import { probeAccuracy, probeWithControl, trainProbe, type ProbeData } from './probe.js';

function data(n: number, d: number, seed: number, informative: boolean): ProbeData {
  const g = gaussian(seededRandom(seed));
  const x = Float32Array.from({ length: n * d }, g);
  const y = Array.from({ length: n }, (_, i) => (informative ? (x[i * d + 2]! - 0.5 * x[i * d + 5]! > 0 ? 1 : 0) : (g() > 0 ? 1 : 0)));
  return { x, y, d };
}

describe('logistic-regression probes', () => {
  it('finds a linearly separable label (held out), and its shuffled-label control is near chance', () => {
    const { accuracy, control } = probeWithControl(data(300, 16, 1, true), data(200, 16, 2, true), 2);
    expect(accuracy).toBeGreaterThan(0.95);
    expect(control).toBeLessThan(0.7);
  });

  it('cannot predict a label that is independent of the features', () => {
    const p = trainProbe(data(300, 16, 3, false), 2);
    expect(probeAccuracy(p, data(400, 16, 4, false))).toBeLessThan(0.62);
  });

  it('handles more than two classes', () => {
    const train = data(300, 8, 5, true);
    const test = data(200, 8, 6, true);
    const three = (dd: ProbeData) => ({ ...dd, y: dd.y.map((v, i) => (dd.x[i * 8]! > 1 ? 2 : v)) });
    expect(probeAccuracy(trainProbe(three(train), 3, { steps: 300 }), three(test))).toBeGreaterThan(0.85);
  });
});
