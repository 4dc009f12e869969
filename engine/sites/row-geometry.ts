// The shape of one batch row of a site's tensor in its component's layout, and the length of its feature vectors.
// Stage: site map (used by compile, runs and plans).
import type { ModelDims } from '../model/model-types.js';
import { COMPONENT_INFO, type Component } from './components.js';

export interface RowGeometry {
  /** Shape of one batch row in the component's layout. */
  rowDims: number[];
  /** Length of one feature vector (the last axis). */
  features: number;
  /** Elements in one row. */
  size: number;
}

export function rowGeometry(component: Component, dims: ModelDims, seq: number): RowGeometry {
  const info = COMPONENT_INFO[component];
  let rowDims: number[];
  switch (info.layout) {
    case 'bhsd': rowDims = [dims.nHeads, seq, dims.dHead]; break;
    case 'bhst': rowDims = [dims.nHeads, seq, seq]; break;
    default: rowDims = [seq, info.featureSize(dims)];
  }
  return { rowDims, features: rowDims[rowDims.length - 1]!, size: rowDims.reduce((a, b) => a * b, 1) };
}
