// The nodes of one slot, in the component's layout x (see instrument.ts for where slots go):
//   x' = x + skip_mask ⊙ (u_in − x)                        (skip: u_in = the module's input, wired in the graph)
//        + mask ⊙ (source − x)                             (affine: interchange, zero, constants)
//        + Σ_t mask_t ⊙ ((source_t − x) · u_t · vt_t)      (projection terms: rotated / low-rank / PCA subspaces)
//        + Σ_j mask_j ⊙ unflat(flat(source_j − x) · u_j · vt_j)   (joint terms: units rotated together, a row flattened)
//        + delta                                           (addition, noise)
// Every term reads the same x, so several interventions on one site add up rather than overwrite each other.
// Stage: compile.
import type { NodeProto, TensorProto } from '../onnx/onnx-schema.js';
import { int64Tensor } from '../onnx/tensor-data.js';
import { jointProjectionValueNames, projectionValueNames, slotValueNames } from '../sites/site-id.js';

export interface SlotTerms {
  affine: boolean;
  projections: number;
  joint: number;
  /** Graph value of the module input to skip to (component layout), or undefined. */
  skipFrom?: string;
}

/** Appends the slot's nodes; returns the written value and the new graph inputs. */
export function emitSlotNodes(nodes: NodeProto[], consts: TensorProto[], id: string, x: string, terms: SlotTerms): { written: string; inputs: string[] } {
  const names = slotValueNames(id);
  const p = `patchbay/${id}`;
  const inputs: string[] = [];
  let acc = x;
  const add = (term: string, tag: string) => {
    const out = `${p}/${tag}/acc`;
    nodes.push(node('Add', [acc, term], [out], `${p}/${tag}/Add`));
    acc = out;
  };
  if (terms.skipFrom) {
    nodes.push(node('Sub', [terms.skipFrom, x], [`${p}/skip/diff`], `${p}/skip/Sub`));
    nodes.push(node('Mul', [names.skipMask, `${p}/skip/diff`], [`${p}/skip/term`], `${p}/skip/Mul`));
    add(`${p}/skip/term`, 'skip');
    inputs.push(names.skipMask);
  }
  if (terms.affine) {
    nodes.push(node('Sub', [names.source, x], [`${p}/diff`], `${p}/Sub`));
    nodes.push(node('Mul', [names.mask, `${p}/diff`], [`${p}/masked`], `${p}/Mul`));
    add(`${p}/masked`, 'affine');
    inputs.push(names.source, names.mask);
  }
  for (let t = 0; t < terms.projections; t++) {
    const n = projectionValueNames(id, t);
    const q = `${p}/p${t}`;
    nodes.push(node('Sub', [n.source, x], [`${q}/diff`], `${q}/Sub`));
    nodes.push(node('MatMul', [`${q}/diff`, n.u], [`${q}/coords`], `${q}/MatMul_u`));
    nodes.push(node('MatMul', [`${q}/coords`, n.vt], [`${q}/back`], `${q}/MatMul_vt`));
    nodes.push(node('Mul', [n.mask, `${q}/back`], [`${q}/term`], `${q}/Mul`));
    add(`${q}/term`, `p${t}`);
    inputs.push(n.source, n.mask, n.u, n.vt);
  }
  if (terms.joint > 0) {
    // [B, …] → [B, 1, N]: a batched MatMul against u [N, r] (shared) or [B, N, r] (per row), then back to x's shape.
    consts.push(int64Tensor(`${p}/flat_shape`, [0, 1, -1]));
    nodes.push(node('Shape', [x], [`${p}/x_shape`], `${p}/Shape`));
  }
  for (let t = 0; t < terms.joint; t++) {
    const n = jointProjectionValueNames(id, t);
    const q = `${p}/j${t}`;
    nodes.push(node('Sub', [n.source, x], [`${q}/diff`], `${q}/Sub`));
    nodes.push(node('Reshape', [`${q}/diff`, `${p}/flat_shape`], [`${q}/flat`], `${q}/Reshape_flat`));
    nodes.push(node('MatMul', [`${q}/flat`, n.u], [`${q}/coords`], `${q}/MatMul_u`));
    nodes.push(node('MatMul', [`${q}/coords`, n.vt], [`${q}/back_flat`], `${q}/MatMul_vt`));
    nodes.push(node('Reshape', [`${q}/back_flat`, `${p}/x_shape`], [`${q}/back`], `${q}/Reshape_back`));
    nodes.push(node('Mul', [n.mask, `${q}/back`], [`${q}/term`], `${q}/Mul`));
    add(`${q}/term`, `j${t}`);
    inputs.push(n.source, n.mask, n.u, n.vt);
  }
  if (terms.affine || terms.projections > 0 || terms.joint > 0 || terms.skipFrom) {
    add(names.delta, 'delta');
    inputs.push(names.delta);
  }
  return { written: acc, inputs };
}

export function node(op: string, input: string[], output: string[], name: string): NodeProto {
  return { op_type: op, input, output, name, attribute: [] };
}
