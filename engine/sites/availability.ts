// The site table of a loaded model as plain data: for each component, each layer found or unavailable with the
// reason. What `patchbay inspect` prints and the app's site grid greys out. Stage: site map (read side).
import type { ModelInfo } from '../load/load-model.js';
import { COMPONENTS, type Component } from './components.js';
import { siteId } from './site-id.js';

export interface ComponentAvailability {
  component: Component;
  /** Per layer: null when found, else why not. token_embedding has layer 0 only. */
  layers: (string | null)[];
}

export function siteAvailability(info: Pick<ModelInfo, 'dims' | 'unavailableSites'>): ComponentAvailability[] {
  return COMPONENTS.map((component) => {
    const n = component === 'token_embedding' ? 1 : info.dims.nLayers;
    const layers = Array.from({ length: n }, (_, layer) => info.unavailableSites[siteId({ layer, component })] ?? null);
    return { component, layers };
  });
}
