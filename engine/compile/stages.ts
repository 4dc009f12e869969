// Cuts a decoder graph into stages that JS runs one after another: `embed` (token ids → residual entering block 0),
// one stage per block (residual in → residual out, with that layer's past and present keys/values), and `head`
// (final residual → logits). A trace can then start a cell at any layer and feed only the tokens from the restored
// one on, with the corrupted run's keys/values as the past. Stage: compile (for the trace).
//
// Each stage is the backward closure of its outputs, stopped at its residual input, so it holds only its own
// weights: all stages together load the model once. Model-level helpers a block needs (the causal mask, NeoX's
// rotary tables) come along; where they read only the *shape* of a tensor from another stage (the token
// embeddings, layer 0's past), the Shape node is pointed at this stage's tensor of the same shape instead.
import { PatchbayError } from '../errors.js';
import type { LoadedModel } from '../load/load-model.js';
import { GraphIndex } from '../onnx/graph-index.js';
import type { Graph, ModelProto, NodeProto, TensorProto, ValueInfo } from '../onnx/onnx-schema.js';
import { DataType } from '../onnx/onnx-schema.js';
import { int64Tensor } from '../onnx/tensor-data.js';

export interface StageNames {
  /** residual[ℓ]: the value entering block ℓ; residual[n]: the value leaving the last block. */
  residual: string[];
  past: (layer: number) => { key: string; value: string };
  present: (layer: number) => { key: string; value: string };
}

/** The embed stage's output. An Identity after the residual, so that when the residual *is* the token embedding
 *  (NeoX has no position embeddings) the output reads it after the token embedding's slot, noise included. */
export const EMBED_OUTPUT = 'patchbay.trace.embed_output';

/** Head input: the answer token id (int64 [1]); head output: p(answer) under softmax, [rows, tokens, 1]. */
export const ANSWER_INPUT = 'patchbay.trace.answer';
export const ANSWER_PROBABILITY = 'patchbay.trace.p_answer';

export interface StageProtos {
  names: StageNames;
  embed: ModelProto;
  blocks: ModelProto[];
  /** The last block's keys and values only (its norm and QKV projection): in the last block only the last
   *  token's output matters, the other tokens are needed only as keys and values. */
  lastKv: ModelProto;
  head: ModelProto;
}

/** Stage cutting needs the current hub layout (per-layer past/present inputs and outputs) and scoped modules. */
export function cutStages(model: LoadedModel): StageProtos {
  const proto = model.decoded.proto;
  const g = proto.graph;
  const index = new GraphIndex(g);
  const n = model.info.dims.nLayers;
  const names = stageNames(model, index);
  const tokenEmbedding = model.sites[0]?.token_embedding?.value;
  const pastAliases = (layer: number): [string, string][] => Array.from({ length: n }, (_, k) => k)
    .filter((k) => k !== layer)
    .flatMap((k) => [[names.past(k).key, names.past(layer).key], [names.past(k).value, names.past(layer).value]] as [string, string][]);
  // Values of shape [batch, tokens, d_model] before the stage whose shape it may read: the token embeddings, the
  // residual entering block 0. Its own residual input has the same shape.
  const sameShape = [tokenEmbedding, names.residual[0]!].filter((v): v is string => !!v);
  const residAliases = (l: number): [string, string][] => sameShape.filter((v) => v !== names.residual[l]).map((v) => [v, names.residual[l]!]);
  const aliases = (l: number) => new Map<string, string>([...pastAliases(l), ...residAliases(l)]);
  const blocks = Array.from({ length: n }, (_, l) =>
    cut(proto, index, `block ${l}`, [names.residual[l + 1]!, names.present(l).key, names.present(l).value], [names.residual[l]!], aliases(l)));
  const lastKv = cut(proto, index, 'last keys and values', [names.present(n - 1).key, names.present(n - 1).value], [names.residual[n - 1]!], aliases(n - 1));
  const head = withAnswerProbability(cut(proto, index, 'head', ['logits'], [names.residual[n]!], new Map(residAliases(n))));
  const embed = withOutputAlias(cut(proto, index, 'embed', [names.residual[0]!], [], new Map()), names.residual[0]!, EMBED_OUTPUT);
  checkWeightsDisjoint([embed, ...blocks, head], tokenEmbedding);
  return { names, embed, blocks, lastKv, head };
}

/** The stage boundaries' value names; throws CONFIG_UNSUPPORTED where cutStages would. */
export function stageNamesOf(model: LoadedModel): StageNames {
  return stageNames(model, new GraphIndex(model.decoded.proto.graph));
}

function stageNames(model: LoadedModel, index: GraphIndex): StageNames {
  const n = model.info.dims.nLayers;
  const residual: string[] = [];
  for (let l = 0; l < n; l++) residual.push(siteValue(model, l, 'block_input'));
  residual.push(siteValue(model, n - 1, 'block_output'));
  for (let l = 1; l < n; l++) {
    if (siteValue(model, l - 1, 'block_output') !== residual[l]) unsupported(`block ${l}'s input is not block ${l - 1}'s output`);
  }
  const past = (l: number) => ({ key: `past_key_values.${l}.key`, value: `past_key_values.${l}.value` });
  const present = (l: number) => ({ key: `present.${l}.key`, value: `present.${l}.value` });
  for (let l = 0; l < n; l++) {
    for (const v of Object.values(past(l))) if (!index.graphInputs.has(v)) unsupported(`the graph has no input ${v} (a key/value cache is needed)`);
    for (const v of Object.values(present(l))) if (!index.graphOutputs.has(v)) unsupported(`the graph has no output ${v}`);
  }
  if (!index.graphOutputs.has('logits')) unsupported('the graph has no "logits" output');
  return { residual, past, present };
}

function siteValue(model: LoadedModel, layer: number, component: 'block_input' | 'block_output'): string {
  const v = model.sites[layer]?.[component]?.value;
  if (!v) unsupported(`no ${component} site at layer ${layer}`);
  return v;
}

function unsupported(why: string): never {
  throw new PatchbayError('CONFIG_UNSUPPORTED', `cannot cut this graph into per-block stages: ${why}`);
}

/** The backward closure of `outputs`, with `cutAt` values turned into graph inputs. */
function cut(proto: ModelProto, index: GraphIndex, what: string, outputs: string[], cutAt: string[], shapeAliases: Map<string, string>): ModelProto {
  const g = proto.graph;
  const stops = new Set(cutAt);
  const picked = new Map<NodeProto, NodeProto>(); // original → node as emitted
  const inputs = new Set<string>();
  const inits = new Set<TensorProto>();
  const seen = new Set<string>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (!v || seen.has(v)) continue;
    seen.add(v);
    if (stops.has(v)) { inputs.add(v); continue; }
    const init = index.initializers.get(v);
    if (init) { inits.add(init); continue; }
    const p = index.producer.get(v);
    if (!p) {
      if (index.graphInputs.has(v)) inputs.add(v);
      continue;
    }
    if (picked.has(p)) continue;
    if (p.attribute.some((a) => a.g || a.graphs?.length)) unsupported(`${what} needs ${p.op_type} node ${p.name}, which holds a subgraph`);
    const alias = p.op_type === 'Shape' ? shapeAliases.get(p.input[0]!) : undefined;
    const node = alias ? { ...p, input: [alias, ...p.input.slice(1)] } : p;
    picked.set(p, node);
    stack.push(...node.input);
  }
  const produced = new Set([...picked.values()].flatMap((nd) => nd.output));
  const graph: Graph = {
    ...g,
    name: `${g.name || 'graph'} (${what})`,
    node: g.node.filter((nd) => picked.has(nd)).map((nd) => picked.get(nd)!),
    initializer: g.initializer.filter((t) => inits.has(t)),
    input: [...inputs].map((name) => g.input.find((i) => i.name === name) ?? floatInput(name)),
    output: outputs.map((name) => g.output.find((o) => o.name === name) ?? floatInput(name)),
    value_info: g.value_info.filter((vi) => produced.has(vi.name) && !outputs.includes(vi.name)),
    sparse_initializer: [],
  };
  return { ...proto, graph };
}

/** Adds p(answer) = exp(logit[answer] − logsumexp(logits)) as a second head output, so a run returns one number
 *  per row instead of a row of the vocabulary. */
function withAnswerProbability(proto: ModelProto): ModelProto {
  const g = proto.graph;
  const p = 'patchbay.trace.head';
  const opset = proto.opset_import.find((o) => !o.domain)?.version ?? 18;
  const axes = int64Tensor(`${p}/axes`, [-1]);
  // ReduceLogSumExp takes its axes as an input from opset 18 on, as an attribute before.
  const lse: NodeProto = opset >= 18
    ? { name: `${p}/LogSumExp`, op_type: 'ReduceLogSumExp', input: ['logits', axes.name], output: [`${p}/lse`], attribute: [{ name: 'keepdims', type: 2, i: 1 }] }
    : { name: `${p}/LogSumExp`, op_type: 'ReduceLogSumExp', input: ['logits'], output: [`${p}/lse`], attribute: [{ name: 'keepdims', type: 2, i: 1 }, { name: 'axes', type: 7, ints: [-1] }] };
  const nodes: NodeProto[] = [
    lse,
    { name: `${p}/Gather`, op_type: 'Gather', input: ['logits', ANSWER_INPUT], output: [`${p}/answer_logit`], attribute: [{ name: 'axis', type: 2, i: -1 }] },
    { name: `${p}/Sub`, op_type: 'Sub', input: [`${p}/answer_logit`, `${p}/lse`], output: [`${p}/log_p`], attribute: [] },
    { name: `${p}/Exp`, op_type: 'Exp', input: [`${p}/log_p`], output: [ANSWER_PROBABILITY], attribute: [] },
  ];
  const answer: ValueInfo = { name: ANSWER_INPUT, type: { tensor_type: { elem_type: DataType.INT64 } } };
  return { ...proto, graph: { ...g, node: [...g.node, ...nodes], initializer: [...g.initializer, ...(opset >= 18 ? [axes] : [])],
    input: [...g.input, answer], output: [...g.output, floatInput(ANSWER_PROBABILITY)] } };
}

function withOutputAlias(proto: ModelProto, value: string, alias: string): ModelProto {
  const g = proto.graph;
  const identity: NodeProto = { name: `${alias}/Identity`, op_type: 'Identity', input: [value], output: [alias], attribute: [] };
  return { ...proto, graph: { ...g, node: [...g.node, identity], output: [floatInput(alias)] } };
}

function floatInput(name: string): ValueInfo {
  return { name, type: { tensor_type: { elem_type: DataType.FLOAT } } };
}

/** Each stage must own its weights: a block that needs another block's (or the embedding's) weights is a bad cut. */
function checkWeightsDisjoint(stages: ModelProto[], tokenEmbedding: string | undefined): void {
  const owner = new Map<string, number>();
  stages.forEach((s, i) => {
    const embedLater = tokenEmbedding && i > 0 && s.graph.node.some((nd) => nd.output.includes(tokenEmbedding));
    if (embedLater) unsupported(`${i < stages.length - 1 ? `block ${i - 1}` : 'the head'} needs the token embeddings' values, not just their shape`);
    for (const t of s.graph.initializer) {
      // Matrices only: biases, norms and constant buffers (merged by the exporter when equal) may be shared.
      if (t.dims.length !== 2 || t.dims.reduce((a, b) => a * Number(b), 1) < 1 << 14) continue;
      const prev = owner.get(t.name);
      const sharedEnds = prev === 0 && i === stages.length - 1; // a tied lm_head may read the embedding table
      if (prev !== undefined && !sharedEnds) unsupported(`weight ${t.name} is needed by two stages`);
      owner.set(t.name, i);
    }
  });
}

/**
 * The whole graph with the unembedding applied to the last token only: the activation input of the MatMul that
 * makes `logits` is sliced to its last position, so logits are [batch, 1, vocab]. Returns the graph unchanged when
 * the logits come from anything but a MatMul with a weight.
 */
export function lastTokenLogits(proto: ModelProto): ModelProto {
  const g = proto.graph;
  const index = new GraphIndex(g);
  let mm = index.producer.get('logits');
  while (mm?.op_type === 'Identity') mm = index.producer.get(mm.input[0]!); // a lifted merged decoder's output
  if (!mm || mm.op_type !== 'MatMul' || !index.initializers.has(mm.input[1]!)) return proto;
  const p = 'patchbay.trace.last_token';
  const consts = [int64Tensor(`${p}/starts`, [-1]), int64Tensor(`${p}/ends`, [Number.MAX_SAFE_INTEGER]), int64Tensor(`${p}/axes`, [1])];
  const slice: NodeProto = { name: `${p}/Slice`, op_type: 'Slice', input: [mm.input[0]!, ...consts.map((c) => c.name)], output: [`${p}/x`], attribute: [] };
  const node = g.node.flatMap((nd) => (nd === mm ? [slice, { ...mm, input: [`${p}/x`, mm.input[1]!] }] : [nd]));
  return { ...proto, graph: { ...g, node, initializer: [...g.initializer, ...consts] } };
}
