// Causal tracing against a deliberately plain implementation: one forward pass per cell through the whole
// instrumented graph (the engine's forward + slot feeds), as ROME's loop does it. Fixtures: the tiny GPT-2 and
// GPT-NeoX exports (no tokenizer: input ids and a subject range).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { causalTrace, type TraceOptions, type TraceResult } from './causal-trace.js';
import type { LoadedModel } from '../load/load-model.js';
import { openModel } from '../load/open-model.js';
import { bundledIds, nodeResolver } from '../load/node-resolver.js';
import { configureRuntime } from '../runtime/ort-runtime.js';
import { forward } from '../run/forward.js';
import type { FloatTensor } from '../runtime/tensor.js';
import { siteId, slotValueNames } from '../sites/site-id.js';
import { seededRng } from '../util/random.js';
import { KIND_COMPONENT, restoredLayers, type Cell } from './trace/cells.js';
import { answerProbability } from './trace/run-common.js';
import { resolveInputs, type TraceKind } from './trace/options.js';
import { graphCache } from '../compile/graph-cache.js';
import { TESTDATA } from '../test-support/fixtures.js';

const FIXTURES = `${TESTDATA}/generated`;
const IDS = [11, 402, 87, 650, 3, 999, 140, 21];
const SUBJECT: [number, number] = [2, 5];
const KINDS: TraceKind[] = ['resid', 'mlp', 'attn'];

/** Random explicit noise [samples][tokens][d]. */
function explicitNoise(samples: number, tokens: number, d: number, seed = 7): number[][][] {
  const rng = seededRng(seed);
  return Array.from({ length: samples }, () => Array.from({ length: tokens }, () => Array.from({ length: d }, () => 0.5 * rng.gaussian())));
}

interface PlainTrace { low: number; high: number; answer: number; scores: Record<string, number[][]> }

/**
 * The plain reference: ROME's loop with the engine's forward. Every cell is its own run of `samples` corrupted
 * rows: noise as the token embedding's delta, the clean site values as source, mask 1 at (layer, token).
 */
export async function plainTrace(model: LoadedModel, ids: number[], subject: [number, number], noise: number[][][] | null,
  kinds: TraceKind[], window: number, replaceIds?: number[]): Promise<PlainTrace> {
  const { nLayers: n, dModel: d, vocabSize: V } = model.info.dims;
  const S = ids.length;
  const sites = kinds.flatMap((k) => Array.from({ length: n }, (_, l) => ({ layer: l, component: KIND_COMPONENT[k] })));
  const graph = await graphCache(model).get([{ site: { layer: 0, component: 'token_embedding' }, kind: 'affine' },
    ...sites.map((site) => ({ site, kind: 'affine' as const }))]);
  const clean = await forward(model, graph, { ids: [ids], collect: sites.map(siteId), logits: 'last' });
  let answer = 0;
  for (let i = 0; i < V; i++) if (clean.logits!.data[i]! > clean.logits!.data[answer]!) answer = i;
  const R = noise ? noise.length : 1;
  const rowIds = Array.from({ length: R }, () => replaceIds ?? ids);
  const delta: FloatTensor = { data: new Float32Array(R * S * d), dims: [R, S, d] };
  noise?.forEach((sample, r) => sample.forEach((vec, j) => delta.data.set(vec, (r * S + subject[0] + j) * d)));
  const run = async (restore: { id: string; token: number }[]) => {
    const feeds: Record<string, FloatTensor> = { [slotValueNames('L0.token_embedding').delta]: delta };
    for (const { id, token } of restore) {
      const mask = { data: new Float32Array(R * S), dims: [R, S, 1] };
      for (let r = 0; r < R; r++) mask.data[r * S + token] = 1;
      feeds[slotValueNames(id).mask] = mask;
      feeds[slotValueNames(id).source] = clean.collected[id]!;
    }
    const out = await forward(model, graph, { ids: rowIds, feeds, logits: 'last' });
    return answerProbability(out.logits!.data, V, answer, 0, R);
  };
  const scores: Record<string, number[][]> = {};
  for (const kind of kinds) {
    scores[kind] = [];
    for (let t = 0; t < S; t++) {
      const row: number[] = [];
      for (let l = 0; l < n; l++) {
        const cell: Cell = { kind, token: t, layer: l };
        row.push(await run(restoredLayers(cell, window, n).map((layer) => ({ id: siteId({ layer, component: KIND_COMPONENT[kind] }), token: t }))));
      }
      scores[kind]!.push(row);
    }
  }
  return { low: await run([]), high: answerProbability(clean.logits!.data, V, answer, 0, 1), answer, scores };
}

function maxDiff(a: Record<string, number[][]>, b: Record<string, number[][]>): number {
  let m = 0;
  for (const k of Object.keys(b)) a[k]!.forEach((row, t) => row.forEach((v, l) => { m = Math.max(m, Math.abs(v - b[k]![t]![l]!)); }));
  return m;
}

describe.each(['tiny-gpt2/model.onnx', 'tiny-gpt-neox/model.onnx', 'tiny-gpt2/model_opset14.onnx'])('causal trace on %s', (name) => {
  let model: LoadedModel;
  let noise: number[][][];
  beforeAll(async () => {
    configureRuntime({ provider: 'wasm', numThreads: 1 });
    model = await openModel(`${FIXTURES}/${name}`, nodeResolver);
    noise = explicitNoise(3, SUBJECT[1] - SUBJECT[0], model.info.dims.dModel);
  });
  afterAll(async () => { await graphCache(model).clear(); });

  const base = (): TraceOptions => ({ inputIds: IDS, subjectRange: SUBJECT, noiseValues: noise, kinds: KINDS });

  it.each([[10], [2], [1]])('staged and batched grids equal one run per cell (window %i)', async (window) => {
    const plain = await plainTrace(model, IDS, SUBJECT, noise, KINDS, window);
    for (const strategy of ['staged', 'batched'] as const) {
      const r = await causalTrace(model, { ...base(), window, strategy, batchRows: 7 });
      expect(r.stats.strategy).toBe(strategy);
      expect(r.answer.id).toBe(plain.answer);
      expect(r.low_score).toBeCloseTo(plain.low, 6);
      expect(r.high_score).toBeCloseTo(plain.high, 6);
      expect(maxDiff(r.scores, plain.scores)).toBeLessThan(1e-5);
    }
    // the grid is not flat: a wrong restore would show far above the tolerance
    expect(Math.max(...Object.values(plain.scores).flat(2).map((v) => Math.abs(v - plain.low)))).toBeGreaterThan(1e-4);
  });

  it('token replacement restores the clean run cell by cell', async () => {
    const replaceIds = IDS.map((id, i) => (i >= SUBJECT[0] && i < SUBJECT[1] ? (id + 100) % 1000 : id));
    const plain = await plainTrace(model, IDS, SUBJECT, null, ['resid', 'mlp'], 10, replaceIds);
    const r = await causalTrace(model, { inputIds: IDS, subjectRange: SUBJECT, replaceIds, kinds: ['resid', 'mlp'] });
    expect(r.samples).toBe(1);
    expect(r.noise.kind).toBe('replace');
    expect(r.low_score).toBeCloseTo(plain.low, 6);
    expect(maxDiff(r.scores, plain.scores)).toBeLessThan(1e-5);
  });
});

describe('causal trace on a legacy merged decoder (no key/value cache)', () => {
  it('falls back to the batched strategy and matches one run per cell', async () => {
    configureRuntime({ provider: 'wasm', numThreads: 1 });
    const model = await openModel(`${FIXTURES}/tiny-gpt-neox/decoder_model_merged.onnx`, nodeResolver);
    const noise = explicitNoise(2, SUBJECT[1] - SUBJECT[0], model.info.dims.dModel);
    const plain = await plainTrace(model, IDS, SUBJECT, noise, ['resid', 'attn'], 10);
    const r = await causalTrace(model, { inputIds: IDS, subjectRange: SUBJECT, noiseValues: noise, kinds: ['resid', 'attn'] });
    expect(r.stats.strategy).toBe('batched');
    expect(r.stats.head_rows).toBe(r.stats.block_token_rows / (IDS.length * model.info.dims.nLayers)); // last token only
    expect(r.low_score).toBeCloseTo(plain.low, 6);
    expect(maxDiff(r.scores, plain.scores)).toBeLessThan(1e-5);
    await expect(causalTrace(model, { inputIds: IDS, subjectRange: SUBJECT, strategy: 'staged' })).rejects.toMatchObject({ code: 'CONFIG_UNSUPPORTED' });
    await graphCache(model).clear();
  });
});

describe.each(['gpt2-facts', 'pythia-facts'])('causal trace on the bundled %s (6 layers, text prompt)', (id) => {
  const prompt = 'The Eiffel Tower is located in the city of';
  let model: LoadedModel;
  beforeAll(async () => {
    configureRuntime({ provider: 'wasm', numThreads: 1 });
    model = await openModel(id, nodeResolver, { bundledIds: bundledIds() });
  });
  afterAll(async () => { await graphCache(model).clear(); });

  it.each([[10], [3]])('staged branches equal one run per cell (window %i)', async (window) => {
    const inputs = resolveInputs(model, { prompt, subject: 'Eiffel Tower' });
    const noise = explicitNoise(3, inputs.subject[1] - inputs.subject[0], model.info.dims.dModel, 3);
    const plain = await plainTrace(model, inputs.ids, inputs.subject, noise, KINDS, window);
    let cells = { done: -1, total: -2 };
    const r = await causalTrace(model, { prompt, subject: 'Eiffel Tower', noiseValues: noise, window, batchRows: 9 },
      { onProgress: (p) => { if (p.stage === 'cells') cells = p; } });
    expect(r.stats.strategy).toBe('staged');
    expect(cells.done).toBe(cells.total); // the planned batches are the batches run
    expect(r.answer).toEqual({ id: plain.answer, text: ' Paris' });
    expect(r.low_score).toBeCloseTo(plain.low, 6);
    expect(r.high_score).toBeCloseTo(plain.high, 6);
    expect(maxDiff(r.scores, plain.scores)).toBeLessThan(1e-5);
    // a trained model: restoring the right state brings the answer back
    expect(Math.max(...r.scores.resid!.flat()) - r.low_score).toBeGreaterThan(0.3);
  });
});

describe('causal trace options', () => {
  let model: LoadedModel;
  let result: TraceResult;
  beforeAll(async () => {
    configureRuntime({ provider: 'wasm', numThreads: 1 });
    model = await openModel(`${FIXTURES}/tiny-gpt2/model.onnx`, nodeResolver);
    result = await causalTrace(model, { inputIds: IDS, subjectRange: SUBJECT, kinds: ['resid'], samples: 4 });
  });
  afterAll(async () => { await graphCache(model).clear(); });

  it('defaults: s3 Gaussian noise from seed 1, answer = clean top-1, shape scores[kind][token][layer]', async () => {
    expect(result.noise).toMatchObject({ kind: 'gaussian', spec: 's3', seed: 1, shape: [4, 3, 64] });
    expect(result.noise.scale).toBeCloseTo(3 * result.noise.embedding_std!, 6);
    expect(result.scores.resid).toHaveLength(IDS.length);
    expect(result.scores.resid![0]).toHaveLength(model.info.dims.nLayers);
    // before the subject nothing is corrupted, so restoring changes nothing
    expect(result.scores.resid![0]![0]).toBe(result.low_score);
    expect(structuredClone(result)).toEqual(result);
    const again = await causalTrace(model, { inputIds: IDS, subjectRange: SUBJECT, kinds: ['resid'], samples: 4 });
    expect(again.scores).toEqual(result.scores);
  });

  it('an explicit answer id changes the scored token', async () => {
    const r = await causalTrace(model, { inputIds: IDS, subjectRange: SUBJECT, kinds: ['resid'], samples: 2, answerId: 5, noise: 0.1 });
    const plain = await plainTrace(model, IDS, SUBJECT, null, [], 10);
    expect(r.answer.id).toBe(5);
    expect(r.noise).toMatchObject({ scale: 0.1, embedding_std: null });
    expect(r.high_score).toBeLessThan(plain.high + 1e-9);
  });

  it.each<[string, TraceOptions, string]>([
    ['subject range out of bounds', { inputIds: IDS, subjectRange: [6, 9] }, 'TRACE_INVALID'],
    ['empty subject range', { inputIds: IDS, subjectRange: [3, 3] }, 'TRACE_INVALID'],
    ['window < 1', { inputIds: IDS, subjectRange: SUBJECT, window: 0 }, 'TRACE_INVALID'],
    ['samples < 1', { inputIds: IDS, subjectRange: SUBJECT, samples: 0 }, 'TRACE_INVALID'],
    ['unknown kind', { inputIds: IDS, subjectRange: SUBJECT, kinds: ['mlp', 'heads' as TraceKind] }, 'TRACE_INVALID'],
    ['bad noise', { inputIds: IDS, subjectRange: SUBJECT, noise: 'x3' }, 'TRACE_INVALID'],
    ['answer id outside the vocabulary', { inputIds: IDS, subjectRange: SUBJECT, answerId: 5000 }, 'TRACE_INVALID'],
    ['text subject without a tokenizer', { inputIds: IDS, subject: 'Paris' }, 'TOKENIZER_MISSING'],
    ['replacement of another length', { inputIds: IDS, subjectRange: SUBJECT, replaceIds: [1, 2, 3] }, 'TRACE_INVALID'],
    ['noise of the wrong shape', { inputIds: IDS, subjectRange: SUBJECT, noiseValues: [[[1, 2]]] }, 'TRACE_INVALID'],
  ])('rejects %s', async (_what, opts, code) => {
    await expect(causalTrace(model, opts)).rejects.toMatchObject({ code });
  });

  it('reports progress per batch and stops when cancelled', async () => {
    const events: string[] = [];
    const ctrl = new AbortController();
    const run = causalTrace(model, { inputIds: IDS, subjectRange: SUBJECT, samples: 2, batchRows: 2 }, {
      signal: ctrl.signal,
      onProgress: (p) => {
        events.push(`${p.stage}:${p.done}/${p.total}`);
        if (p.stage === 'cells' && p.done === 3) ctrl.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    expect(events).toContain('cells:3/' + events.find((e) => e.startsWith('cells:0/'))!.split('/')[1]);
    expect(events.filter((e) => e.startsWith('cells:')).length).toBe(4);
  });
});
