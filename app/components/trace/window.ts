// The MLP/attention restore window the app proposes for a model: ROME's 10 was chosen for 28–48-layer models (GPT-J,
// GPT-2 XL), where it covers a quarter to a third of the depth. On a 6-layer model 10 restores every layer at once
// and the grids lose their shape, so the app proposes a quarter of the depth, at most 10. The CLI keeps 10.

/** ROME's window, the CLI's default and the link schema's. */
export const ROME_WINDOW = 10;

/** A quarter of the layers (at least 1, at most ROME's 10). */
export function suggestedWindow(nLayers: number): number {
  return Math.max(1, Math.min(ROME_WINDOW, Math.round(nLayers / 4)));
}

/** The help text beside the window field: why this window for this model. */
export function windowHint(nLayers: number | null, window: number): string {
  if (nLayers === null) return `Layers restored together (MLP, attention); ROME used ${ROME_WINDOW} on 28–48-layer models.`;
  const w = suggestedWindow(nLayers);
  const whole = window >= nLayers ? ` A window of ${window} restores all ${nLayers} layers at once: the grids lose their shape.` : '';
  return `Layers restored together (MLP, attention). ROME's ${ROME_WINDOW} was for 28–48-layer models; ${w} (a quarter of the depth) suits this ${nLayers}-layer model.${whole}`;
}
