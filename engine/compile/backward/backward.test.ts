// Each gradient rule against central finite differences, on small hand-made graphs (one group of ops per graph),
// and the coded error for an op without a rule. The exporter-made models are checked in engine/training/grad-graph.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Attribute, ModelProto, NodeProto, TensorProto } from '../../onnx/onnx-schema.js';
import { DataType } from '../../onnx/onnx-schema.js';
import { floatTensor, int64Tensor } from '../../onnx/tensor-data.js';
import { configureRuntime, runtimeSettings, type FeedValue } from '../../runtime/ort-runtime.js';
import type { FloatTensor } from '../../runtime/tensor.js';
import { gradGraphOf, runGradFeeds } from '../../training/grad-graph.js';
import { crossEntropyLast, directionalCheck, seededRandom } from '../../training/test-support.js';

const ints = (name: string, v: number[]): Attribute => ({ name, type: 7, ints: v });
const int = (name: string, v: number): Attribute => ({ name, type: 2, i: v });
const flt = (name: string, v: number): Attribute => ({ name, type: 1, f: v });
const n = (op: string, input: string[], output: string, attribute: Attribute[] = []): NodeProto => ({ op_type: op, input, output: [output], name: output, attribute });

interface Case {
  name: string;
  opset?: number;
  inputs: Record<string, number[]>;
  nodes: NodeProto[];
  consts?: TensorProto[];
}

function model(c: Case): ModelProto {
  const info = (name: string, dims?: number[]) => ({ name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: dims ? { dim: dims.map((d) => ({ dim_value: d })) } : undefined } } });
  return {
    ir_version: 8, opset_import: [{ domain: '', version: c.opset ?? 18 }], producer_name: 'test', metadata_props: [],
    graph: { name: c.name, node: c.nodes, initializer: c.consts ?? [], input: Object.entries(c.inputs).map(([k, d]) => info(k, d)), output: [info('logits')], value_info: [] },
  };
}

const CASES: Case[] = [
  { name: 'broadcasting arithmetic', inputs: { a: [2, 3, 4], b: [4], c: [2, 1, 4] }, consts: [floatTensor('one', [1], [])], nodes: [
    n('Add', ['a', 'b'], 't1'), n('Sub', ['t1', 'c'], 't2'), n('Mul', ['t2', 'a'], 't3'),
    n('Add', ['c', 'one'], 'c1'), n('Mul', ['c1', 'c1'], 'c2'), n('Div', ['t3', 'c2'], 'logits')] },
  { name: 'unary functions', inputs: { a: [2, 3, 4] }, consts: [floatTensor('two', [2], []), floatTensor('one', [1], [])], nodes: [
    n('Tanh', ['a'], 'u1'), n('Erf', ['a'], 'u2'), n('Sigmoid', ['a'], 'u3'), n('Exp', ['a'], 'u4'), n('Pow', ['a', 'two'], 'u5'),
    n('Add', ['u5', 'one'], 'u6'), n('Sqrt', ['u6'], 'u7'), n('Log', ['u6'], 'u8'), n('Relu', ['a'], 'u9'), n('Neg', ['u9'], 'u10'),
    n('Mul', ['u1', 'u2'], 's1'), n('Add', ['s1', 'u3'], 's2'), n('Mul', ['s2', 'u4'], 's3'), n('Add', ['s3', 'u7'], 's4'),
    n('Sub', ['s4', 'u8'], 's5'), n('Add', ['s5', 'u10'], 's6'), n('Cast', ['s6'], 's7', [int('to', 1)]), n('Identity', ['s7'], 'logits')] },
  { name: 'Where', inputs: { a: [2, 3, 4], b: [3, 4] }, consts: [floatTensor('zero', [0], []), floatTensor('three', [3], [])], nodes: [
    n('Greater', ['a', 'zero'], 'cond'), n('Mul', ['b', 'three'], 'b3'), n('Where', ['cond', 'a', 'b3'], 'logits')] },
  { name: 'MatMul and Gemm', inputs: { a: [2, 3, 5], w: [5, 4], v: [4, 5], bias: [4] }, consts: [int64Tensor('flat', [6, 5]), int64Tensor('back', [2, 3, 4])], nodes: [
    n('MatMul', ['a', 'w'], 'm1'), n('Reshape', ['a', 'flat'], 'a2'),
    n('Gemm', ['a2', 'v', 'bias'], 'g1', [int('transB', 1), flt('alpha', 0.5), flt('beta', 2)]),
    n('Transpose', ['a2'], 'a2t', [ints('perm', [1, 0])]), n('Gemm', ['a2t', 'w'], 'g2', [int('transA', 1)]),
    n('Add', ['g1', 'g2'], 'g3'), n('Reshape', ['g3', 'back'], 'g4'), n('Add', ['m1', 'g4'], 'logits')] },
  { name: 'batched MatMul (attention-like)', inputs: { q: [2, 2, 3, 4], k: [2, 2, 3, 4], x: [2, 3, 4] }, consts: [int64Tensor('shape', [2, 3, 8])], nodes: [
    n('Transpose', ['k'], 'kt', [ints('perm', [0, 1, 3, 2])]), n('MatMul', ['q', 'kt'], 'scores'), n('Softmax', ['scores'], 'p', [int('axis', -1)]),
    n('MatMul', ['p', 'q'], 'ctx'), n('Transpose', ['ctx'], 'ctx2', [ints('perm', [0, 2, 1, 3])]), n('Reshape', ['ctx2', 'shape'], 'flat'),
    n('Slice', ['flat', 'st', 'en', 'ax'], 'sl'), n('Add', ['sl', 'x'], 'logits')] },
  { name: 'Split, Concat, Slice, Expand, Squeeze', inputs: { a: [2, 3, 6], e: [1, 3, 1] }, nodes: [
    { ...n('Split', ['a', 'sizes'], 'p0', [int('axis', 2)]), output: ['p0', 'p1'] }, n('Concat', ['p1', 'p0'], 'cat', [int('axis', -1)]),
    n('Slice', ['cat', 'st2', 'en2', 'ax2'], 'sl'), n('Expand', ['e', 'eshape'], 'ex'), n('Mul', ['sl', 'ex'], 'm'),
    n('Unsqueeze', ['m', 'ax0'], 'un'), n('Squeeze', ['un', 'ax0'], 'sq'), n('Flatten', ['sq'], 'fl', [int('axis', 1)]),
    n('Reshape', ['fl', 'back'], 'logits')],
    consts: [int64Tensor('sizes', [2, 4]), int64Tensor('st2', [-4]), int64Tensor('en2', [2 ** 31]), int64Tensor('ax2', [2]),
      int64Tensor('eshape', [2, 3, 4]), int64Tensor('ax0', [0]), int64Tensor('back', [2, 3, 4])] },
  { name: 'LayerNormalization, LogSoftmax, ReduceSum', inputs: { a: [2, 3, 4] }, consts: [floatTensor('g', [1.5, 0.5, 1, 2], [4]), floatTensor('b', [0.1, 0, -0.2, 0.3], [4]), int64Tensor('ax', [1])], nodes: [
    n('LayerNormalization', ['a', 'g', 'b'], 'ln', [flt('epsilon', 1e-5)]), n('LogSoftmax', ['ln'], 'ls', [int('axis', 1)]),
    n('ReduceSum', ['a', 'ax'], 'rs'), n('Mul', ['ls', 'rs'], 'logits')] },
  { name: 'LayerNorm decomposition (opset 14 ReduceMean)', opset: 14, inputs: { a: [2, 3, 4] }, consts: [floatTensor('eps', [1e-5], []), floatTensor('two', [2], [])], nodes: [
    n('ReduceMean', ['a'], 'mu', [ints('axes', [-1])]), n('Sub', ['a', 'mu'], 'xc'), n('Pow', ['xc', 'two'], 'sq'),
    n('ReduceMean', ['sq'], 'var', [ints('axes', [-1]), int('keepdims', 0)]), n('Unsqueeze', ['var', 'ax'], 'var1'),
    n('Add', ['var1', 'eps'], 've'), n('Sqrt', ['ve'], 'sd'), n('Div', ['xc', 'sd'], 'logits')] },
];
// the Slice of the attention case: columns 2..6 of 8
CASES[4]!.consts!.push(int64Tensor('st', [2]), int64Tensor('en', [6]), int64Tensor('ax', [-1]));
CASES[7]!.consts!.push(int64Tensor('ax', [-1]));

const decoded = (proto: ModelProto) => ({ proto, bytes: new Uint8Array(8), externalFiles: new Map<string, Uint8Array>() });

async function check(c: Case) {
  const rnd = seededRandom(7);
  const feeds: Record<string, FloatTensor> = {};
  for (const [k, dims] of Object.entries(c.inputs)) feeds[k] = { data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rnd() * 2), dims };
  const wrt = Object.keys(c.inputs);
  const gg = await gradGraphOf(decoded(model(c)), model(c), wrt, () => feeds as Record<string, FeedValue>);
  const labels = [1, 3];
  const w = { data: new Float32Array(24), dims: [2, 3, 4] };
  labels.forEach((l, b) => { w.data[(b * 3 + 2) * 4 + l] = 0.5; });
  const res = await runGradFeeds(gg, feeds, w);
  expect(res.loss).toBeCloseTo(crossEntropyLast(res.logits, labels), 5);
  const loss = async (f: Record<string, FloatTensor>) => crossEntropyLast((await runGradFeeds(gg, f, w)).logits, labels);
  for (const name of wrt) {
    const { analytic, numeric } = await directionalCheck(feeds, name, res.grads[name]!, loss, rnd, 1e-3);
    expect(Math.abs(analytic - numeric), `${c.name}: d/d${name} analytic ${analytic} vs finite difference ${numeric}`)
      .toBeLessThan(2e-3 * Math.max(1, Math.abs(analytic)));
  }
  await gg.session.release();
}

describe('gradient rules against central finite differences', () => {
  beforeAll(() => configureRuntime({ provider: 'wasm', numThreads: 1, runtime: runtimeSettings().runtime }));
  for (const c of CASES) it(c.name, () => check(c));

  it('names the op when a node on the path has no rule', async () => {
    const c: Case = { name: 'max', inputs: { a: [2, 3, 4], b: [2, 3, 4] }, nodes: [n('Max', ['a', 'b'], 'logits')] };
    const feeds = { a: { data: new Float32Array(24), dims: [2, 3, 4] }, b: { data: new Float32Array(24), dims: [2, 3, 4] } };
    await expect(gradGraphOf(decoded(model(c)), model(c), ['a'], () => feeds)).rejects.toMatchObject({ code: 'GRADIENT_UNSUPPORTED', message: expect.stringContaining('op Max') });
  });
});
