// Rewrites a model's graph so that chosen sites can be read and written at run time: at each site a slot of a few
// nodes sits between the site's tensor and all its consumers. Stage: site map → compiled graph.
//
//   collect slot:  value = x                                   (x also becomes a graph output)
//   writing slot:  x' = x + mask ⊙ (source − x) + delta  [+ projection and skip terms: slot-nodes.ts]
//
// With mask = 0 and delta = 0 the graph computes exactly what the original does, so one compiled graph serves a
// whole sweep: batch rows are cells, and each row gets its own mask. Weights are untouched (shared by reference).
import type { Graph, ModelProto, NodeProto, ValueInfo } from '../onnx/onnx-schema.js';
import { DataType } from '../onnx/onnx-schema.js';
import { int64Tensor } from '../onnx/tensor-data.js';
import type { ModelDims } from '../model/model-types.js';
import { COMPONENT_INFO } from '../sites/components.js';
import type { SiteMap } from '../sites/find-sites.js';
import { siteId, slotValueNames, type SiteRef } from '../sites/site-id.js';
import { PatchbayError } from '../errors.js';
import { layoutConversion, type ConvertStep } from './layout-convert.js';
import { emitSlotNodes, node } from './slot-nodes.js';

export type SlotKind = 'collect' | 'affine';

export interface SlotSpec {
  site: SiteRef;
  kind: SlotKind;
  /** Number of projection terms (rotated-space interventions) at this site. */
  projections?: number;
  /** Number of joint projection terms (several units rotated together) at this site. */
  joint?: number;
  /** Skip: the site may take the value of this (upstream, same-shaped) site instead; it needs a slot too. */
  skipFrom?: SiteRef;
}

/** The canonical key of a set of slots: compiled graphs are cached by it. */
export function slotsKey(specs: SlotSpec[]): string {
  return specs.map((s) => `${siteId(s.site)}:${s.kind}:${s.projections ?? 0}:${s.joint ?? 0}:${s.skipFrom ? siteId(s.skipFrom) : ''}`).sort().join(',');
}

export function instrument(proto: ModelProto, sites: SiteMap, dims: ModelDims, specs: SlotSpec[]): ModelProto {
  const g = proto.graph;
  const after = new Map<string, NodeProto[]>(); // graph value → slot nodes to emit right after its producer
  const rename = new Map<string, string>(); // original value → value its consumers now read
  const inputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];
  const consts = [] as Graph['initializer'];
  const written = new Map<string, string>(); // site id → its value after the slot, in the component's layout
  const order = [...specs].sort((a, b) => a.site.layer - b.site.layer || a.site.component.localeCompare(b.site.component));
  const half = g.output.find((o) => o.name === 'logits')?.type?.tensor_type?.elem_type === DataType.FLOAT16;

  for (const spec of order) {
    const id = siteId(spec.site);
    const tensor = sites[spec.site.layer]?.[spec.site.component];
    if (!tensor) throw new PatchbayError('SITE_UNAVAILABLE', `site ${id} is not in this model's site map (\`patchbay inspect\` lists the sites a model has, and why the others are missing)`);
    const names = slotValueNames(id);
    const current = rename.get(tensor.value) ?? tensor.value;
    const nodes: NodeProto[] = [];
    const conv = layoutConversion(tensor.layout, COMPONENT_INFO[spec.site.component].layout, dims);
    // float16 graphs: the slot computes in float32 between two Casts (exact for neutral feeds: x → f32 → x).
    const x32 = half ? cast(nodes, current, `${names.value}/f32`, DataType.FLOAT) : current;
    const x = emitSteps(nodes, consts, x32, conv.forward, `${names.value}/in`);
    nodes.push(node('Identity', [x], [names.value], `${names.value}/collect`));
    outputs.push(floatValue(names.value));
    let canonical = x;
    const writes = spec.kind === 'affine' || (spec.projections ?? 0) > 0 || (spec.joint ?? 0) > 0 || spec.skipFrom;
    if (writes) {
      const skipFrom = spec.skipFrom ? written.get(siteId(spec.skipFrom)) : undefined;
      if (spec.skipFrom && !skipFrom) throw new PatchbayError('SITE_UNKNOWN', `skip at ${id} needs a slot at ${siteId(spec.skipFrom)} first`);
      const slot = emitSlotNodes(nodes, consts, id, x, { affine: spec.kind === 'affine', projections: spec.projections ?? 0, joint: spec.joint ?? 0, skipFrom });
      canonical = slot.written;
      const back = emitSteps(nodes, consts, slot.written, conv.back, `patchbay/${id}/out`);
      inputs.push(...slot.inputs.map(floatValue));
      rename.set(tensor.value, half ? cast(nodes, back, `patchbay/${id}/out/f16`, DataType.FLOAT16) : back);
    }
    written.set(id, canonical);
    const list = after.get(current) ?? [];
    list.push(...nodes);
    after.set(current, list);
  }

  const node_: NodeProto[] = [];
  const emitAfter = (value: string) => {
    const extra = after.get(value);
    if (!extra) return;
    after.delete(value);
    for (const n of extra) {
      node_.push(n);
      for (const o of n.output) emitAfter(o); // a second slot on the same tensor hangs off the first one's output
    }
  };
  for (const input of g.input) emitAfter(input.name);
  for (const n of g.node) {
    const out = half && n.output.includes('logits') ? { ...n, output: n.output.map((o) => (o === 'logits' ? LOGITS_F16 : o)) } : n;
    node_.push(rewire(out, rename));
    for (const o of n.output) emitAfter(o);
    if (out !== n) cast(node_, LOGITS_F16, 'logits', DataType.FLOAT); // the API reads float32 logits
  }
  const graph: Graph = {
    ...g,
    node: node_,
    initializer: [...g.initializer, ...consts],
    input: [...g.input, ...inputs],
    output: [...g.output.map((o) => (half && o.name === 'logits' ? floatValue('logits') : o)), ...outputs],
  };
  return { ...proto, graph };
}

/** Points an original node's inputs at the slotted values (slot nodes are emitted separately and keep theirs). */
function rewire(n: NodeProto, rename: Map<string, string>): NodeProto {
  if (!n.input.some((i) => rename.has(i))) return n;
  return { ...n, input: n.input.map((i) => rename.get(i) ?? i) };
}

function emitSteps(nodes: NodeProto[], consts: Graph['initializer'], input: string, steps: ConvertStep[], prefix: string): string {
  let v = input;
  steps.forEach((step, i) => {
    const out = `${prefix}/${i}`;
    if (step.op === 'Transpose') {
      nodes.push({ ...node('Transpose', [v], [out], `${out}/Transpose`), attribute: [{ name: 'perm', type: 7, ints: step.perm }] });
    } else {
      const shapeName = `${out}/shape`;
      consts.push(int64Tensor(shapeName, step.shape));
      nodes.push(node('Reshape', [v, shapeName], [out], `${out}/Reshape`));
    }
    v = out;
  });
  return v;
}

const LOGITS_F16 = 'patchbay/logits/f16';

function cast(nodes: NodeProto[], input: string, output: string, to: number): string {
  nodes.push({ ...node('Cast', [input], [output], `${output}/Cast`), attribute: [{ name: 'to', type: 2, i: to }] });
  return output;
}

function floatValue(name: string): ValueInfo {
  return { name, type: { tensor_type: { elem_type: DataType.FLOAT } } };
}
