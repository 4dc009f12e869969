// What an intervention type is, as data: the slot it needs, whether it reads a source, whether it trains, its
// parameters, how it writes one location's features into the slot feeds, and a plain reference implementation that
// tests compare the graph against. One file per type in this folder; registry.ts lists them.
import type { z } from 'zod';
import type { Projection } from './basis.js';

/** How a type writes: through the slot's mask/source/delta, a projection term, the skip wire, or not at all. */
export type WriteKind = 'collect' | 'affine' | 'projected' | 'skip';

/** The slot feeds of one location (views of length = features), written by `write`. Initially mask 0, delta 0. */
export interface LocationFeeds {
  mask: Float32Array;
  source: Float32Array;
  delta: Float32Array;
}

export interface WriteArgs<P> {
  feeds: LocationFeeds;
  /** The source's values at the paired source location (activation or constant), or null for sourceless types. */
  source: Float32Array | null;
  /** Feature indices to touch; null = all. */
  subspace: number[] | null;
  params: P;
  /** Draws standard normal numbers (seeded per experiment). */
  gaussian: () => number;
  /** Which of the intervention's locations this is (0-based, in unit_locations order). */
  location: number;
}

export interface InterventionType<P = Record<string, unknown>> {
  /** pyvene's class name. */
  name: string;
  needsSource: boolean;
  slotKind: WriteKind;
  trainable: boolean;
  params: z.ZodType<P>;
  write(args: WriteArgs<P>): void;
  /** Projected types: how many coordinates their space has (subspaces and interchange_dim index into it). */
  coordinates?(params: P, features: number): number;
  /** Projected types: the (u, vt) pair for the chosen coordinates (null = all, or pyvene's default). */
  projection?(params: P, coords: number[] | null, features: number): Projection;
  /** The intervened features given the base's and source's (straightforward math, for tests). */
  reference(base: Float32Array, source: Float32Array | null, subspace: number[] | null, params: P, noise?: Float32Array): Float32Array;
}

/** write() of projected types: the projection term replaces through its basis, so mask and source cover every feature. */
export function writeWholeSource({ feeds, source }: WriteArgs<unknown>): void {
  feeds.mask.fill(1);
  feeds.source.set(source!);
}

/** Calls fn for every feature index in the subspace (or every feature). */
export function forEachFeature(size: number, subspace: number[] | null, fn: (i: number) => void): void {
  if (subspace) for (const i of subspace) fn(i);
  else for (let i = 0; i < size; i++) fn(i);
}

/** reference helper: copy base, then change the chosen features. */
export function mapFeatures(base: Float32Array, subspace: number[] | null, fn: (i: number) => number): Float32Array {
  const out = Float32Array.from(base);
  forEachFeature(base.length, subspace, (i) => { out[i] = fn(i); });
  return out;
}
