// Sites inside a block's attention and MLP branches, found from the ops between the branch's LayerNorm and its output:
// the projections (matrix products with a constant operand), the attention's score and mixing products around the
// Softmax, and the split of the fused q/k/v projection. Each site comes back with its layout, or with why it is
// missing (e.g. attention fused into one onnxruntime op). Stage: structure → site map.
import type { GraphIndex } from '../onnx/graph-index.js';
import type { NodeProto } from '../onnx/onnx-schema.js';
import { axesAfter, layoutOfAxes, projectionAxes, type Axes } from '../structure/axes.js';
import { FUSED_ATTENTION } from '../structure/attention-reach.js';
import type { Layout } from './components.js';

export type SiteLookup = { value: string; layout: Layout } | { missing: string };

const MATMUL_OPS = new Set(['MatMul', 'Gemm', 'MatMulInteger', 'MatMulNBits', 'FusedMatMul', 'MatMulIntegerToFloat', 'DynamicQuantizeMatMul', 'QLinearMatMul', 'MatMulBnb4']);
/** Ops between Softmax and the mixing product, or between scores and Softmax, that do not change what flows. */
const PASS_THROUGH = new Set(['Cast', 'Where', 'Dropout', 'Identity', 'Add', 'Sub', 'Mul', 'Div', 'IsNaN']);

/** The nodes of a branch: those computed from its LayerNorm output that the branch output is computed from. */
export function branchNodes(index: GraphIndex, lnOutput: string, branchOutput: string): NodeProto[] {
  const upstream = index.ancestors(branchOutput, new Set([lnOutput]));
  const nodes = new Set<NodeProto>();
  const seen = new Set<string>([lnOutput]);
  const stack = [lnOutput];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (v === branchOutput) continue;
    for (const u of index.consumers.get(v) ?? []) {
      if (!u.output.some((o) => upstream.has(o)) || nodes.has(u)) continue;
      nodes.add(u);
      for (const o of u.output) if (o && !seen.has(o)) { seen.add(o); stack.push(o); }
    }
  }
  const order = index.order;
  return [...nodes].sort((a, b) => order.get(a)! - order.get(b)!);
}

/** Projections: matrix products with a constant (weight) operand, in graph order. */
function projections(index: GraphIndex, nodes: NodeProto[]): NodeProto[] {
  return nodes.filter((n) => MATMUL_OPS.has(n.op_type) && n.input.slice(0, 2).some((i) => index.isConstant(i)));
}

/** The MLP's hidden activation: the data input of its output projection, before any flattening Reshape. */
export function mlpActivation(index: GraphIndex, nodes: NodeProto[]): SiteLookup {
  const proj = projections(index, nodes);
  if (proj.length < 2) return { missing: `the MLP has ${proj.length} projection${proj.length === 1 ? '' : 's'} (expected 2)` };
  const value = beforeFlatten(index, index.unquantized(proj[proj.length - 1]!.input[0]!));
  return { value, layout: 'bsd' };
}

function beforeFlatten(index: GraphIndex, value: string): string {
  let v = value;
  for (let p = index.producer.get(v); p && (p.op_type === 'Reshape' || p.op_type === 'Flatten'); p = index.producer.get(v)) v = p.input[0]!;
  return v;
}

export interface AttentionSites {
  attention_value_output: SiteLookup;
  head_attention_value_output: SiteLookup;
  attention_weight: SiteLookup;
  query: SiteLookup;
  key: SiteLookup;
  value: SiteLookup;
}

export function attentionSites(index: GraphIndex, nodes: NodeProto[], lnOutput: string): AttentionSites {
  const fail = (missing: string): AttentionSites => ({
    attention_value_output: { missing }, head_attention_value_output: { missing }, attention_weight: { missing },
    query: { missing }, key: { missing }, value: { missing },
  });
  const fused = nodes.find((n) => FUSED_ATTENTION.has(n.op_type));
  if (fused) {
    const inner = `attention is fused into one ${fused.op_type} op (onnxruntime's optimizer): queries, keys, values, weights and per-head outputs exist only inside it`;
    return { ...fail(inner), attention_value_output: { value: fused.output[0]!, layout: 'bsd' } };
  }
  const softmax = nodes.filter((n) => n.op_type === 'Softmax');
  if (softmax.length !== 1) return fail(`found ${softmax.length} Softmax ops in the attention branch (expected 1)`);
  const mixing = forwardTo(index, softmax[0]!.output[0]!, (n) => n.op_type === 'MatMul' && n.input.every((i) => index.isActivation(i)));
  const scores = backTo(index, softmax[0]!.input[0]!, (n) => n.op_type === 'MatMul' && n.input.every((i) => index.isActivation(i)));
  if (!mixing || !scores) return fail('no MatMul–Softmax–MatMul pattern around the attention Softmax');
  const proj = projections(index, nodes);
  const out = proj[proj.length - 1];
  const merged = out ? mergedHeads(index, mixing, out) : undefined;
  const qkv = splitQkv(index, nodes, lnOutput, [scores.input[0]!, scores.input[1]!, mixing.input[1]!]);
  return {
    attention_value_output: merged ?? { missing: 'no Transpose/Reshape chain from the head outputs to the output projection' },
    head_attention_value_output: { value: mixing.output[0]!, layout: 'bhsd' },
    attention_weight: { value: mixing.input[0]!, layout: 'bhst' },
    ...qkv,
  };
}

/** Head outputs [B,H,S,Dh] → … → output projection: the last value of the chain that still has batch and position
 *  axes ([B,S,D] preferred, [B,S,H,Dh] otherwise). */
function mergedHeads(index: GraphIndex, mixing: NodeProto, out: NodeProto): SiteLookup | undefined {
  let v = mixing.output[0]!;
  let axes: Axes | undefined = ['b', 'h', 's', 'd'];
  let best: SiteLookup | undefined;
  for (let i = 0; i < 8 && axes; i++) {
    const layout = layoutOfAxes(axes);
    if (layout === 'bsd' || (layout === 'bshd' && !best)) best = { value: v, layout };
    const users = index.dataUsers(v);
    if (users.length !== 1 || users[0] === out || index.unquantized(out.input[0]!) === v) break;
    const next = users[0]!;
    if (next.op_type !== 'Transpose' && next.op_type !== 'Reshape') break;
    axes = axesAfter(index, next, axes);
    v = next.output[0]!;
  }
  return best;
}

function forwardTo(index: GraphIndex, value: string, target: (n: NodeProto) => boolean): NodeProto | undefined {
  let v = value;
  for (let i = 0; i < 6; i++) {
    const users = index.dataUsers(v);
    const hit = users.find(target);
    if (hit) return hit;
    const next = users.find((u) => PASS_THROUGH.has(u.op_type));
    if (!next) return undefined;
    v = next.output[0]!;
  }
  return undefined;
}

function backTo(index: GraphIndex, value: string, target: (n: NodeProto) => boolean): NodeProto | undefined {
  let v = value;
  for (let i = 0; i < 8; i++) {
    const p = index.producer.get(v);
    if (!p) return undefined;
    if (target(p)) return p;
    if (!PASS_THROUGH.has(p.op_type)) return undefined;
    // Through masks and scales: follow the operand that carries activations from the branch (the first one that does).
    const next = p.input.find((i) => i && index.isActivation(i) && index.producer.get(i)?.op_type !== 'Shape');
    if (!next) return undefined;
    v = next;
  }
  return undefined;
}

/** q, k and v as they leave the fused projection: the outputs of a Split (or of three Slices of one value) told
 *  apart by which attention input each one flows into. Rotary embeddings come after this point. */
function splitQkv(index: GraphIndex, nodes: NodeProto[], lnOutput: string, uses: [string, string, string]): Pick<AttentionSites, 'query' | 'key' | 'value'> {
  const stops = new Set([lnOutput]);
  const reach = uses.map((u) => index.ancestors(u, stops));
  for (const group of splitGroups(index, nodes)) {
    const roles = group.outputs.map((t) => reach.map((r) => r.has(t)));
    const which = roles.map((r) => (r.filter(Boolean).length === 1 ? r.indexOf(true) : -1));
    if (new Set(which).size !== 3 || which.includes(-1)) continue;
    const layout = layoutOfAxes(splitInputAxes(index, group.input));
    if (!layout) continue;
    const at = (role: number): SiteLookup => ({ value: group.outputs[which.indexOf(role)]!, layout });
    return { query: at(0), key: at(1), value: at(2) };
  }
  const missing = 'no split of a fused q/k/v projection whose three parts feed the query, key and value sides of attention';
  return { query: { missing }, key: { missing }, value: { missing } };
}

function splitGroups(index: GraphIndex, nodes: NodeProto[]): { input: string; outputs: string[] }[] {
  const groups: { input: string; outputs: string[] }[] = [];
  for (const n of nodes) {
    if (n.op_type === 'Split' && n.output.length === 3 && index.isActivation(n.input[0]!)) groups.push({ input: n.input[0]!, outputs: [...n.output] });
  }
  const slices = new Map<string, string[]>();
  for (const n of nodes.filter((x) => x.op_type === 'Slice')) slices.set(n.input[0]!, [...(slices.get(n.input[0]!) ?? []), n.output[0]!]);
  for (const [input, outputs] of slices) if (outputs.length === 3) groups.push({ input, outputs });
  return groups;
}

/** Axes of the value being split, followed from the q/k/v projection through Reshape/Transpose/bias ops. */
function splitInputAxes(index: GraphIndex, value: string): Axes | undefined {
  const chain: NodeProto[] = [];
  let v = value;
  for (let i = 0; i < 12; i++) {
    const p = index.producer.get(v);
    if (!p) return undefined;
    if (MATMUL_OPS.has(p.op_type)) {
      let axes: Axes | undefined = projectionAxes(index, p);
      for (const n of chain.reverse()) axes = axes && axesAfter(index, n, axes);
      return axes;
    }
    if (!['Reshape', 'Transpose', 'Add', 'Mul', 'Cast', 'Identity'].includes(p.op_type)) return undefined;
    chain.push(p);
    v = p.op_type === 'Add' ? p.input.find((x) => index.isActivation(x)) ?? p.input[0]! : p.input[0]!;
  }
  return undefined;
}
