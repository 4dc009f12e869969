// The cells of a causal trace and what each one restores: (kind, token, layer) → the sites set back to their clean
// values at that token. Stage: plan (for the trace). Pure functions over sizes; no tensors.
import type { Component } from '../../sites/components.js';
import type { TraceKind } from './options.js';

export const KIND_COMPONENT: Record<TraceKind, Component> = {
  resid: 'block_output',
  mlp: 'mlp_output',
  attn: 'attention_output',
};

export interface Cell {
  kind: TraceKind;
  token: number;
  /** The grid column: the restored layer (resid) or the window's centre (mlp, attn). */
  layer: number;
}

/** ROME's window of layers around `layer`: [max(0, L − w//2), min(n, L − (−w//2))). */
export function windowLayers(layer: number, window: number, nLayers: number): number[] {
  const lo = Math.max(0, layer - Math.floor(window / 2));
  const hi = Math.min(nLayers, layer - Math.floor(-window / 2));
  const out: number[] = [];
  for (let l = lo; l < hi; l++) out.push(l);
  return out;
}

/** The layers whose site is restored for a cell: one layer for resid, the window for mlp and attn. */
export function restoredLayers(cell: Cell, window: number, nLayers: number): number[] {
  return cell.kind === 'resid' ? [cell.layer] : windowLayers(cell.layer, window, nLayers);
}

/** Every cell of the grid, kind-major, then token, then layer. */
export function allCells(kinds: TraceKind[], nTokens: number, nLayers: number): Cell[] {
  const cells: Cell[] = [];
  for (const kind of kinds) {
    for (let token = 0; token < nTokens; token++) for (let layer = 0; layer < nLayers; layer++) cells.push({ kind, token, layer });
  }
  return cells;
}

/**
 * The first token whose corrupted state can differ from the clean one: the subject's first token under noise, the
 * first differing id under token replacement. With causal attention, restoring a state before it changes nothing,
 * so such cells score exactly low_score and need no run.
 */
export function firstCorruptedToken(ids: number[], subject: [number, number], replaceIds?: number[]): number {
  if (!replaceIds) return subject[0];
  const i = ids.findIndex((id, k) => id !== replaceIds[k]);
  return i < 0 ? ids.length : i;
}

export interface ScoreGrid {
  set(cell: Cell, score: number): void;
  result(): Partial<Record<TraceKind, number[][]>>;
}

/** scores[kind][token][layer], filled cell by cell. */
export function scoreGrid(kinds: TraceKind[], nTokens: number, nLayers: number): ScoreGrid {
  const grids = new Map(kinds.map((k) => [k, Array.from({ length: nTokens }, () => new Array<number>(nLayers).fill(Number.NaN))]));
  return {
    set: (cell, score) => { grids.get(cell.kind)![cell.token]![cell.layer] = score; },
    result: () => Object.fromEntries(grids),
  };
}
