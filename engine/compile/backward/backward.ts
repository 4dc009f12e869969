// Reverse-mode differentiation of an (instrumented) ONNX graph: appends to the forward graph the nodes that compute
// a loss at the model's logits and its exact gradient with respect to chosen graph inputs (slot parameters such as
// u / vt / mask / delta / source), so forward and backward run as one onnxruntime session. Stage: compile.
//
//   loss = −Σ_{b,s,v} W[b,s,v] · log softmax(logits)[b,s,v]     (W a graph input: one-hot at the scored token / B)
//   ∂loss/∂logits = softmax(logits) · Σ_v W − W                 (the seed; then one rule per forward node, reversed)
//
// Only nodes on a path from a trained input to the logits are differentiated; every op met there needs a rule in the
// table (rules-*.ts), else GRADIENT_UNSUPPORTED names the op. Weights stay frozen (never differentiated).
import type { Graph, ModelProto, NodeProto, TensorProto, ValueInfo } from '../../onnx/onnx-schema.js';
import { DataType } from '../../onnx/onnx-schema.js';
import { readTensorNumbers } from '../../onnx/tensor-data.js';
import { PatchbayError } from '../../errors.js';
import { Emitter, attrInt, type ValueFact } from './emitter.js';
import type { GradRule } from './rule-types.js';
import { ELEMENTWISE_RULES } from './rules-elementwise.js';
import { LINEAR_RULES } from './rules-linear.js';
import { NORM_RULES } from './rules-norm.js';
import { SHAPE_RULES } from './rules-shape.js';

/** Op type → gradient rule. */
export const GRAD_RULES: Record<string, GradRule> = { ...ELEMENTWISE_RULES, ...LINEAR_RULES, ...SHAPE_RULES, ...NORM_RULES };

export const LOSS_WEIGHTS = 'patchbay.loss.weights';
export const LOSS = 'patchbay.loss';
export const gradName = (input: string): string => `patchbay.grad.${input}`;

export interface BackwardSpec {
  /** Graph inputs to differentiate with respect to. */
  wrt: string[];
  /** The logits value the loss reads ([B, S, V]). */
  logits?: string;
  /** Forward outputs to keep besides logits, the loss and the gradients (e.g. slot value outputs). */
  keepOutputs?: (name: string) => boolean;
}

export function buildBackward(proto: ModelProto, spec: BackwardSpec, facts: Map<string, ValueFact>): ModelProto {
  const g = proto.graph;
  const logits = spec.logits ?? 'logits';
  const order = topoOrder(g);
  const live = liveValues(order, spec.wrt, facts);
  const { onPath, reach } = pathNodes(order, live, logits);
  if (!reach.has(logits)) throw new PatchbayError('GRADIENT_UNSUPPORTED', `the logits do not depend on any of ${spec.wrt.join(', ')}`);

  const e = new Emitter('patchbay/grad', facts);
  const constant = constantReader(g);
  const contributions = new Map<string, string[]>();
  const sums = new Map<string, string>();
  const gradOf = (v: string): string | undefined => {
    const parts = contributions.get(v);
    if (!parts) return undefined;
    let s = sums.get(v);
    if (!s) {
      s = parts.length === 1 ? parts[0]! : e.op('Sum', parts);
      sums.set(v, s);
    }
    return s;
  };
  const contribute = (v: string, grad: string) => {
    if (sums.has(v)) throw new Error(`backward: gradient of ${v} used before it was complete`);
    contributions.set(v, [...(contributions.get(v) ?? []), grad]);
  };

  // The loss and its seed gradient.
  const logp = e.op('LogSoftmax', [logits], [attrInt('axis', -1)]);
  const lossSum = e.op('ReduceSum', [e.op('Mul', [logp, LOSS_WEIGHTS])], [attrInt('keepdims', 0)]);
  e.nodes.push({ op_type: 'Neg', input: [lossSum], output: [LOSS], name: 'patchbay/grad/loss', attribute: [] });
  const rowWeight = e.sumAxes(LOSS_WEIGHTS, [-1]);
  contribute(logits, e.op('Sub', [e.op('Mul', [e.op('Softmax', [logits], [attrInt('axis', -1)]), rowWeight]), LOSS_WEIGHTS]));

  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    if (!onPath.has(node)) continue;
    const gy = node.output.map((o) => (reach.has(o) && live.has(o) ? gradOf(o) : undefined));
    if (gy.every((x) => x === undefined)) continue;
    const rule = GRAD_RULES[node.op_type];
    if (!rule || (node.domain && node.domain !== '' && node.domain !== 'ai.onnx')) {
      throw new PatchbayError('GRADIENT_UNSUPPORTED', `no gradient rule for op ${node.domain ? `${node.domain}.` : ''}${node.op_type} (node "${node.name}"), ` +
        'which lies between the trained inputs and the logits: put the trained site above it, or add a rule in engine/compile/backward');
    }
    const need = node.input.map((i) => i !== '' && live.has(i) && reach.has(i));
    const grads = rule({ e, node, gy, need, constant });
    node.input.forEach((i, j) => {
      if (need[j] && grads[j]) contribute(i, grads[j]);
    });
  }

  const outputs: ValueInfo[] = [floatInfo(LOSS)];
  spec.wrt.forEach((w) => {
    const grad = gradOf(w) ?? e.zerosLike(w);
    e.nodes.push({ op_type: 'Identity', input: [grad], output: [gradName(w)], name: `patchbay/grad/out/${w}`, attribute: [] });
    outputs.push(floatInfo(gradName(w)));
  });
  const keep = spec.keepOutputs ?? ((n: string) => n.startsWith('patchbay.'));
  const graph: Graph = {
    ...g,
    node: [...order, ...e.nodes],
    initializer: [...g.initializer, ...e.consts],
    input: [...g.input, floatInfo(LOSS_WEIGHTS)],
    output: [...g.output.filter((o) => o.name === logits || keep(o.name)), ...outputs],
  };
  return { ...proto, graph };
}

/** Nodes in an order where every input is produced before it is read (most exports are already sorted). */
export function topoOrder(g: Graph): NodeProto[] {
  const producer = new Map<string, NodeProto>();
  for (const n of g.node) for (const o of n.output) producer.set(o, n);
  const done = new Set<NodeProto>();
  const out: NodeProto[] = [];
  const visit = (root: NodeProto) => {
    const stack: [NodeProto, number][] = [[root, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [n, i] = top;
      if (done.has(n)) { stack.pop(); continue; }
      if (i < n.input.length) {
        top[1]++;
        const p = producer.get(n.input[i]!);
        if (p && !done.has(p)) stack.push([p, 0]);
        continue;
      }
      done.add(n);
      out.push(n);
      stack.pop();
    }
  };
  for (const n of g.node) visit(n);
  return out;
}

/** Values that depend on a trained input through float tensors. */
function liveValues(order: NodeProto[], wrt: string[], facts: Map<string, ValueFact>): Set<string> {
  const live = new Set(wrt);
  for (const n of order) {
    if (!n.input.some((i) => live.has(i))) continue;
    for (const o of n.output) if (facts.get(o)?.float) live.add(o);
  }
  return live;
}

/** Nodes between the trained inputs and the logits, and the values the logits depend on. */
function pathNodes(order: NodeProto[], live: Set<string>, logits: string): { onPath: Set<NodeProto>; reach: Set<string> } {
  const reach = new Set([logits]);
  const onPath = new Set<NodeProto>();
  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k]!;
    if (!n.output.some((o) => reach.has(o) && live.has(o))) continue;
    onPath.add(n);
    for (const i of n.input) if (live.has(i)) reach.add(i);
  }
  return { onPath, reach };
}

function constantReader(g: Graph): (v: string) => number[] | undefined {
  const tensors = new Map<string, TensorProto>();
  for (const t of g.initializer) tensors.set(t.name, t);
  for (const n of g.node) {
    const t = n.op_type === 'Constant' ? n.attribute.find((a) => a.name === 'value')?.t : undefined;
    if (t) tensors.set(n.output[0]!, t);
  }
  return (v) => {
    const t = tensors.get(v);
    return t ? readTensorNumbers(t) : undefined;
  };
}

function floatInfo(name: string): ValueInfo {
  return { name, type: { tensor_type: { elem_type: DataType.FLOAT } } };
}
