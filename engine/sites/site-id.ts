// The one place that names sites and the graph values of their slots.
//   siteId({ layer: 3, component: 'block_output' })  → "L3.block_output"
//   parseSiteId("L3.block_output")                    → { layer: 3, component: 'block_output' }
//   slotValueNames("L3.block_output") → { source: "patchbay.L3.block_output.source", mask: "…mask", delta: "…delta",
//                                         value: "patchbay.L3.block_output.value" }
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
}

export function slotValueNames(id: string): SlotValueNames {
  const p = `patchbay.${id}`;
  return { source: `${p}.source`, mask: `${p}.mask`, delta: `${p}.delta`, value: `${p}.value` };
}
