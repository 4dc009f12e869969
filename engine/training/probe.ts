// Linear probes: multinomial logistic regression on activations (standardised features, L2 penalty, full-batch Adam),
// trained in TypeScript; held-out accuracy, and the control the literature asks for: the same probe trained on
// shuffled labels (its held-out accuracy is what a probe reaches without the information). Stage: experiments.
import { Adam } from './adam.js';
import { seededRandom } from './linalg.js';

export interface ProbeData {
  /** n × d row-major features. */
  x: Float32Array;
  /** Class index per row. */
  y: number[];
  d: number;
}

export interface ProbeOptions { steps?: number; lr?: number; l2?: number; seed?: number }

export interface Probe { classes: number; d: number; mean: Float64Array; scale: Float64Array; /** (d + 1) × classes */ w: Float64Array }

export function trainProbe(data: ProbeData, classes: number, opts: ProbeOptions = {}): Probe {
  const { steps = 200, lr = 0.05, l2 = 1e-3 } = opts;
  const { x, y, d } = data;
  const n = y.length;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]! / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) scale[j]! += (x[i * d + j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < d; j++) scale[j] = 1 / (Math.sqrt(scale[j]!) + 1e-6);
  const probe: Probe = { classes, d, mean, scale, w: new Float64Array((d + 1) * classes) };
  const adam = new Adam(probe.w.length, { lr });
  const grad = new Float64Array(probe.w.length);
  const z = new Float64Array(d + 1);
  for (let s = 0; s < steps; s++) {
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      features(probe, x, i, z);
      const p = softmax(logits(probe, z));
      p[y[i]!]! -= 1;
      for (let j = 0; j <= d; j++) for (let c = 0; c < classes; c++) grad[j * classes + c]! += (z[j]! * p[c]!) / n;
    }
    for (let t = 0; t < d * classes; t++) grad[t]! += l2 * probe.w[t]!; // no penalty on the bias row
    adam.step(probe.w, grad);
  }
  return probe;
}

export function probeAccuracy(probe: Probe, data: ProbeData): number {
  const z = new Float64Array(probe.d + 1);
  let hits = 0;
  for (let i = 0; i < data.y.length; i++) {
    features(probe, data.x, i, z);
    const l = logits(probe, z);
    let best = 0;
    for (let c = 1; c < l.length; c++) if (l[c]! > l[best]!) best = c;
    if (best === data.y[i]) hits++;
  }
  return data.y.length ? hits / data.y.length : NaN;
}

/** Held-out accuracy of a probe, and of the same probe trained on seeded shuffled labels (the control). */
export function probeWithControl(train: ProbeData, test: ProbeData, classes: number, opts: ProbeOptions = {}): { accuracy: number; control: number } {
  const accuracy = probeAccuracy(trainProbe(train, classes, opts), test);
  const rnd = seededRandom((opts.seed ?? 0) * 31 + 5);
  const y = [...train.y];
  for (let i = y.length - 1; i > 0; i--) {
    const j = Math.floor((rnd() + 0.5) * (i + 1));
    [y[i], y[j]] = [y[j]!, y[i]!];
  }
  const control = probeAccuracy(trainProbe({ ...train, y }, classes, opts), test);
  return { accuracy, control };
}

function features(probe: Probe, x: Float32Array, i: number, z: Float64Array): void {
  for (let j = 0; j < probe.d; j++) z[j] = (x[i * probe.d + j]! - probe.mean[j]!) * probe.scale[j]!;
  z[probe.d] = 1;
}

function logits(probe: Probe, z: Float64Array): Float64Array {
  const out = new Float64Array(probe.classes);
  for (let j = 0; j <= probe.d; j++) for (let c = 0; c < probe.classes; c++) out[c]! += z[j]! * probe.w[j * probe.classes + c]!;
  return out;
}

function softmax(l: Float64Array): Float64Array {
  const m = Math.max(...l);
  let s = 0;
  for (let c = 0; c < l.length; c++) { l[c] = Math.exp(l[c]! - m); s += l[c]!; }
  for (let c = 0; c < l.length; c++) l[c]! /= s;
  return l;
}
