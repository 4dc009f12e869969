// The "probe vs DAS" experiment: for every cell (layer, position) of a component, a 1-D (rank-r) DAS subspace trained
// on counterfactual pairs and scored by interchange intervention accuracy on held-out pairs, beside a logistic probe
// of the base label on the base activation there (with its shuffled-label control). Stage: experiments.
//   PAIRS.json: [{"base": TEXT, "source": TEXT, "base_label": TOKEN, "source_label": TOKEN}, …]  (docs/das.md)
import type { LoadedModel } from '../load/load-model.js';
import type { Component } from '../sites/components.js';
import { PatchbayError } from '../errors.js';
import { checkpoint } from '../util/yield.js';
import { collectSites, evaluateIia, featureSize, shuffled, trainDas, type DasCell, type DasPair, type DasProgress, type TrainedCell } from './das.js';
import { seededRandom } from './linalg.js';
import { probeWithControl, type ProbeData } from './probe.js';
import type { TrainableType } from './parametrizations.js';

export interface PairText { base: string; source: string; base_label: string; source_label: string }

export interface DasGridOptions {
  component?: Component;
  /** Default LowRankRotatedSpaceIntervention. */
  type?: TrainableType;
  layers?: 'all' | number[];
  positions?: 'all' | 'last' | number[];
  rank?: number;
  steps?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  /** Share of pairs held out for IIA and probe accuracy (default 0.2). */
  testFraction?: number;
  onProgress?: (p: { phase: 'train' | 'evaluate' | 'probe'; train?: DasProgress }) => void;
  signal?: AbortSignal;
}

export interface DasGridCell { layer: number; position: number; iia: number; probe_accuracy: number; probe_control: number; loss: number }

export interface DasGridResult {
  cells: DasGridCell[];
  train_pairs: number;
  test_pairs: number;
  seconds: number;
  component: Component;
  intervention_type: TrainableType;
  rank: number;
  steps: number;
  seed: number;
  seconds_per_step: number;
  /** Mean training loss over cells, per step (the loss curve). */
  loss_curve: number[];
  trained: TrainedCell[];
}

/** Tokenises PAIRS.json entries; labels must be single tokens. */
export function tokenizePairs(model: LoadedModel, pairs: unknown): DasPair[] {
  if (!Array.isArray(pairs) || pairs.length === 0) throw new PatchbayError('TRAINING_INVALID', 'the pairs file must be a non-empty JSON array of {base, source, base_label, source_label}');
  const tok = model.tokenizer;
  if (!tok) throw new PatchbayError('TOKENIZER_MISSING', 'the model has no tokenizer.json: the pairs are text');
  return pairs.map((raw, i) => {
    const p = raw as Partial<PairText>;
    for (const k of ['base', 'source', 'base_label', 'source_label'] as const) {
      if (typeof p[k] !== 'string' || p[k] === '') throw new PatchbayError('TRAINING_INVALID', `pair ${i}: "${k}" must be a non-empty string`, `[${i}].${k}`);
    }
    const label = (k: 'base_label' | 'source_label') => {
      const ids = tok.encode(p[k]!);
      if (ids.length !== 1) throw new PatchbayError('TRAINING_INVALID', `pair ${i}: ${k} "${p[k]}" is ${ids.length} tokens; labels must be one token (mind the leading space: " he")`, `[${i}].${k}`);
      return ids[0]!;
    };
    const base = tok.encode(p.base!);
    const source = tok.encode(p.source!);
    if (base.length !== source.length) {
      throw new PatchbayError('TRAINING_INVALID', `pair ${i}: base is ${base.length} tokens and source ${source.length}; a pair needs the same token length`, `[${i}]`);
    }
    return { base, source, baseLabel: label('base_label'), sourceLabel: label('source_label') };
  });
}

export function gridCells(model: LoadedModel, pairs: DasPair[], layers: DasGridOptions['layers'], positions: DasGridOptions['positions']): DasCell[] {
  const n = model.info.dims.nLayers;
  const ls = layers === undefined || layers === 'all' ? Array.from({ length: n }, (_, i) => i) : layers;
  const shortest = Math.min(...pairs.map((p) => p.base.length));
  const lengths = new Set(pairs.map((p) => p.base.length));
  let ps: number[];
  if (positions === 'last') ps = [-1];
  else if (positions === undefined || positions === 'all') {
    // one length: every token; mixed lengths: counted from the end, so a cell means the same token in every pair
    ps = lengths.size === 1 ? Array.from({ length: shortest }, (_, i) => i) : Array.from({ length: shortest }, (_, i) => i - shortest);
  } else ps = positions;
  return ls.flatMap((layer) => ps.map((position) => ({ layer, position })));
}

export async function dasGrid(model: LoadedModel, pairs: DasPair[], opts: DasGridOptions = {}): Promise<DasGridResult> {
  const t0 = performance.now();
  const seed = opts.seed ?? 0;
  const component = opts.component ?? 'block_output';
  const order = shuffled(pairs.length, seededRandom(seed * 104729 + 3));
  const nTest = Math.max(1, Math.round(pairs.length * (opts.testFraction ?? 0.2)));
  if (pairs.length - nTest < 1) throw new PatchbayError('TRAINING_INVALID', `${pairs.length} pairs are too few to hold some out: give at least 2`);
  const test = order.slice(0, nTest).map((i) => pairs[i]!);
  const train = order.slice(nTest).map((i) => pairs[i]!);
  const cells = gridCells(model, pairs, opts.layers, opts.positions);
  const tTrain = performance.now();
  const trained = await trainDas(model, cells, train, {
    component, type: opts.type, rank: opts.rank, steps: opts.steps, batchSize: opts.batchSize, lr: opts.lr, seed, signal: opts.signal,
    onProgress: (p) => opts.onProgress?.({ phase: 'train', train: p }),
  });
  const trainSeconds = (performance.now() - tTrain) / 1000;
  opts.onProgress?.({ phase: 'evaluate' });
  const iia = await evaluateIia(model, trained, test, opts.signal);
  opts.onProgress?.({ phase: 'probe' });
  const probes = await probeCells(model, cells, component, train, test, seed, opts.signal);
  const steps = trained[0]?.losses.length ?? 0;
  return {
    cells: cells.map((c, i) => ({ ...c, iia: iia[i]!, probe_accuracy: probes[i]!.accuracy, probe_control: probes[i]!.control, loss: trained[i]!.losses.at(-1) ?? NaN })),
    train_pairs: train.length,
    test_pairs: test.length,
    seconds: (performance.now() - t0) / 1000,
    component, intervention_type: opts.type ?? 'LowRankRotatedSpaceIntervention', rank: opts.rank ?? 1, steps, seed,
    seconds_per_step: steps ? trainSeconds / steps : 0,
    loss_curve: Array.from({ length: steps }, (_, s) => trained.reduce((a, t) => a + t.losses[s]!, 0) / trained.length),
    trained,
  };
}

/** Probe accuracy (and control) per cell: the base label from the base activation at the cell. */
async function probeCells(model: LoadedModel, cells: DasCell[], component: Component, train: DasPair[], test: DasPair[], seed: number, signal?: AbortSignal) {
  const layers = [...new Set(cells.map((c) => c.layer))].sort((a, b) => a - b);
  const classes = [...new Set([...train, ...test].map((p) => p.baseLabel))];
  const d = featureSize(model, component);
  const gather = async (pairs: DasPair[]) => {
    const byLen = new Map<number, number[]>();
    pairs.forEach((p, i) => byLen.set(p.base.length, [...(byLen.get(p.base.length) ?? []), i]));
    const x = cells.map(() => new Float32Array(pairs.length * d));
    for (const [seq, idx] of byLen) {
      const acts = await collectSites(model, idx.map((i) => pairs[i]!.base), layers, component, signal);
      cells.forEach((c, k) => idx.forEach((i, row) => {
        const pos = c.position < 0 ? seq + c.position : c.position;
        x[k]!.set(acts[c.layer]!.data.subarray((row * seq + pos) * d, (row * seq + pos + 1) * d), i * d);
      }));
    }
    return x;
  };
  const xTrain = await gather(train);
  const xTest = await gather(test);
  const y = (pairs: DasPair[]) => pairs.map((p) => classes.indexOf(p.baseLabel));
  const out: { accuracy: number; control: number }[] = [];
  for (let k = 0; k < cells.length; k++) {
    await checkpoint(signal); // probes train in TypeScript: let a Cancel in between cells
    const tr: ProbeData = { x: xTrain[k]!, y: y(train), d };
    const te: ProbeData = { x: xTest[k]!, y: y(test), d };
    out.push(probeWithControl(tr, te, Math.max(2, classes.length), { seed }));
  }
  return out;
}
