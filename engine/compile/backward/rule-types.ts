// The contract of a gradient rule: given a forward node and the gradients of its outputs, emit the nodes that compute
// the gradients of the inputs that need one. Stage: compile (backward graph).
import type { NodeProto } from '../../onnx/onnx-schema.js';
import type { Emitter } from './emitter.js';
import { PatchbayError } from '../../errors.js';

export interface GradContext {
  e: Emitter;
  node: NodeProto;
  /** Gradient of each output (the output's shape), or undefined for outputs no loss depends on. */
  gy: (string | undefined)[];
  /** Per input: does it need a gradient (it depends on a trained input)? */
  need: boolean[];
  /** The numbers of a constant input (initializer or Constant node), when small and known. */
  constant(value: string): number[] | undefined;
}

/** Returns one gradient per input (undefined where not needed). */
export type GradRule = (c: GradContext) => (string | undefined)[];

/** The single output gradient of a one-output op. */
export function g0(c: GradContext): string {
  const g = c.gy[0];
  if (!g) throw new Error(`backward: ${c.node.op_type} ${c.node.name} has no output gradient`);
  return g;
}

/** The rank of output 0 (the gradient's rank). */
export function outRank(c: GradContext): number {
  return c.e.rank(c.node.output[0]!);
}

/** A node on the gradient path that this generator cannot differentiate (as used here). */
export function unsupported(c: GradContext, why: string): never {
  throw new PatchbayError('GRADIENT_UNSUPPORTED', `no gradient for ${c.node.op_type} node "${c.node.name}": ${why}; ` +
    'put the trained site above it, or extend engine/compile/backward with a rule for it');
}
