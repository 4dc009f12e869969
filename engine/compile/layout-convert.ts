// Node sequences that convert a site's tensor between the layout it has in the graph and the layout its
// component presents to interventions (e.g. NeoX's per-head query [B,H,S,Dh] viewed as query_output [B,S,D]).
// Stage: compile.
import type { Layout } from '../sites/components.js';
import type { ModelDims } from '../model/model-types.js';

export type ConvertStep = { op: 'Transpose'; perm: number[] } | { op: 'Reshape'; shape: number[] };

const SWAP_1_2: ConvertStep = { op: 'Transpose', perm: [0, 2, 1, 3] };
const MERGE_HEADS: ConvertStep = { op: 'Reshape', shape: [0, 0, -1] };

/** Steps from the graph's layout to the component's, and back. Empty when they agree. */
export function layoutConversion(from: Layout, to: Layout, dims: ModelDims): { forward: ConvertStep[]; back: ConvertStep[] } {
  if (from === to) return { forward: [], back: [] };
  const split: ConvertStep = { op: 'Reshape', shape: [0, 0, dims.nHeads, dims.dHead] };
  const key = `${from}->${to}`;
  switch (key) {
    case 'bhsd->bsd': return { forward: [SWAP_1_2, MERGE_HEADS], back: [split, SWAP_1_2] };
    case 'bshd->bsd': return { forward: [MERGE_HEADS], back: [split] };
    case 'bshd->bhsd': return { forward: [SWAP_1_2], back: [SWAP_1_2] };
    case 'bsd->bhsd': return { forward: [split, SWAP_1_2], back: [SWAP_1_2, MERGE_HEADS] };
    default: throw new Error(`no layout conversion ${key}`);
  }
}
