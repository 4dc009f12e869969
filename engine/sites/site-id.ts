// The one place that names sites and the graph values of their slots.
//   siteId({ layer: 3, component: 'block_output' })  → "L3.block_output"
//   parseSiteId("L3.block_output")                    → { layer: 3, component: 'block_output' }
//   slotValueNames("L3.block_output") → { source: "patchbay.L3.block_output.source", mask: "…mask", delta: "…delta",
//                                         value: "patchbay.L3.block_output.value", skipMask: "…skip_mask" }
//   projectionValueNames("L3.block_output", 0) → { source: "patchbay.L3.block_output.p0.source", mask: "….p0.mask",
//                                                  u: "….p0.u", vt: "….p0.vt" }   (jointProjectionValueNames: "….j0.…")
import { isComponent, type Component } from './components.js';

export interface SiteRef {
  layer: number;
  component: Component;
}

export function siteId(site: SiteRef): string {
  return `L${site.layer}.${site.component}`;
}

export function parseSiteId(id: string): SiteRef | undefined {
  const m = /^L(\d+)\.([a-z_]+)$/.exec(id);
  if (!m || !isComponent(m[2]!)) return undefined;
  return { layer: Number(m[1]), component: m[2] };
}

export interface SlotValueNames {
  /** Graph input: the values to write in, in the component's layout (broadcastable). */
  source: string;
  /** Graph input: 1 where `source` replaces the site's value, 0 where it does not (broadcastable). */
  mask: string;
  /** Graph input: added after the replacement (broadcastable). */
  delta: string;
  /** Graph output: the site's value before this slot changes it. */
  value: string;
  /** Graph input (skip slots): 1 where the site takes its module's input instead of its output. */
  skipMask: string;
}

export function slotValueNames(id: string): SlotValueNames {
  const p = `patchbay.${id}`;
  return { source: `${p}.source`, mask: `${p}.mask`, delta: `${p}.delta`, value: `${p}.value`, skipMask: `${p}.skip_mask` };
}

/** The inputs of projection term t at a site: x += mask ⊙ ((source − x) · u · vt), u [F,k], vt [k,F]. */
export interface ProjectionValueNames {
  source: string;
  mask: string;
  u: string;
  vt: string;
}

export function projectionValueNames(id: string, term: number): ProjectionValueNames {
  const p = `patchbay.${id}.p${term}`;
  return { source: `${p}.source`, mask: `${p}.mask`, u: `${p}.u`, vt: `${p}.vt` };
}

/** Joint projection term t (several units rotated together): u [N, r], vt [r, N] over a whole flattened row. */
export function jointProjectionValueNames(id: string, term: number): ProjectionValueNames {
  const p = `patchbay.${id}.j${term}`;
  return { source: `${p}.source`, mask: `${p}.mask`, u: `${p}.u`, vt: `${p}.vt` };
}

/** Parses a slot input name back to its site id, e.g. "patchbay.L3.block_output.p0.u" → "L3.block_output". */
export function siteIdOfSlotValue(name: string): string | undefined {
  return /^patchbay\.(L\d+\.[a-z_]+)\./.exec(name)?.[1];
}
