// Which computations the staged trace runs, as a tree of branches per restored token. Stage: plan (for the trace).
// Pure: cells in, segments out; no tensors.
//
// A cell restored at token t only changes tokens t.. (causal attention) and layers from its first restore on, so
// it starts at that layer with the corrupted run's residual for tokens t.. and its keys/values as the past.
// Cells that restore the same things up to a layer share their state up to there: the mlp / attn windows
// [0, 5), [0, 6), … [0, 10) of a 12-layer model run as one branch through layer 4 and split after. Each segment
// runs its layers once for all its cells; a split copies the residual.
import type { Component } from '../../sites/components.js';
import { KIND_COMPONENT, windowLayers, type Cell } from './cells.js';

/** How a root branch's residual is made: the corrupted run's, or that with token t set to a clean block output. */
export type BranchInit = { kind: 'corrupt' } | { kind: 'resid'; layer: number };

export interface Segment {
  /** First layer this segment runs. */
  from: number;
  /** One past its last layer; equal to nLayers for a leaf (its residual then goes to the head). */
  to: number;
  /** restores[i]: the component restored at token t (local position 0) in layer from + i, or null. */
  restores: (Component | null)[];
  cells: Cell[];
  children: Segment[];
}

export interface Root extends Segment {
  init: BranchInit;
}

interface Program {
  cell: Cell;
  start: number;
  init: BranchInit;
  restoreAt: (layer: number) => Component | null;
}

function program(cell: Cell, window: number, nLayers: number): Program {
  if (cell.kind === 'resid') {
    return { cell, start: cell.layer + 1, init: { kind: 'resid', layer: cell.layer }, restoreAt: () => null };
  }
  const layers = windowLayers(cell.layer, window, nLayers);
  const component = KIND_COMPONENT[cell.kind];
  return { cell, start: layers[0]!, init: { kind: 'corrupt' }, restoreAt: (l) => (layers.includes(l) ? component : null) };
}

/** The branch trees of the cells of one token (all cells must share the token). */
export function tokenRoots(cells: Cell[], window: number, nLayers: number): Root[] {
  const groups = new Map<string, Program[]>();
  for (const c of cells) {
    const p = program(c, window, nLayers);
    const key = `${p.start}|${p.init.kind === 'resid' ? p.init.layer : 'corrupt'}`;
    const list = groups.get(key) ?? [];
    list.push(p);
    groups.set(key, list);
  }
  return [...groups.values()].map((ps) => ({ ...segment(ps, ps[0]!.start, nLayers), init: ps[0]!.init }));
}

function segment(programs: Program[], from: number, nLayers: number): Segment {
  const restores: (Component | null)[] = [];
  let l = from;
  let groups = new Map<Component | null, Program[]>();
  for (; l < nLayers; l++) {
    groups = new Map();
    for (const p of programs) {
      const k = p.restoreAt(l);
      groups.set(k, [...(groups.get(k) ?? []), p]);
    }
    if (groups.size > 1) break;
    restores.push(groups.keys().next().value!);
  }
  const children = l < nLayers ? [...groups.values()].map((g) => segment(g, l, nLayers)) : [];
  return { from, to: l, restores, cells: programs.map((p) => p.cell), children };
}

/** Every segment of a tree, parents before children. */
export function segments(root: Segment): Segment[] {
  return [root, ...root.children.flatMap(segments)];
}

/** The segments that run layer `layer`, in a stable order. */
export function runningAt(roots: Segment[], layer: number): Segment[] {
  return roots.flatMap(segments).filter((s) => s.from <= layer && layer < s.to);
}

/**
 * Segments that enter their first layer with the corrupted run's state (corrupt roots, or their children when they
 * split at once). Their first layer changes only token t — every later token still sees corrupted keys and values
 * — so it runs on token t alone and the other tokens keep the corrupted run's output.
 */
export function freshSegments(roots: Root[]): Set<Segment> {
  const fresh = new Set<Segment>();
  for (const r of roots) {
    if (r.init.kind !== 'corrupt') continue;
    if (r.to > r.from) fresh.add(r);
    else for (const c of r.children) fresh.add(c);
  }
  return fresh;
}

/** The leaves (their residual goes through the head). */
export function leaves(roots: Segment[]): Segment[] {
  return roots.flatMap(segments).filter((s) => s.children.length === 0);
}

/** The batches of layer l: segments starting fresh there (token t alone) and the others, each split so a batch
 *  has at most maxFresh / maxRest rows (`rows` per segment). */
export function layerBatches(roots: Root[], fresh: Set<Segment>, l: number, rows: number, maxFresh: number, maxRest: number): { fresh: Segment[][]; rest: Segment[][] } {
  const running = runningAt(roots, l);
  const first = running.filter((s) => fresh.has(s) && s.from === l);
  return { fresh: chunk(first, () => rows, maxFresh), rest: chunk(running.filter((s) => !first.includes(s)), () => rows, maxRest) };
}

/** Splits items into runs of at most `maxRows` rows (an item of `rows` rows is never split; each run has ≥ 1 item). */
export function chunk<T>(items: T[], rowsOf: (item: T) => number, maxRows: number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let rows = 0;
  for (const it of items) {
    const r = rowsOf(it);
    if (cur.length > 0 && rows + r > maxRows) { out.push(cur); cur = []; rows = 0; }
    cur.push(it);
    rows += r;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
