// The Probe vs DAS result as heatmap grids (positions × layers): IIA, probe accuracy and the shuffled-label control,
// all on one 0–1 colour scale so the maps compare at a glance; and the settings' text fields parsed. Pure.
import type { Grid } from '../heatmap/draw-heatmap';
import type { DasOutput } from '../../workers/das-op';

export type DasMetric = 'iia' | 'probe_accuracy' | 'probe_control';

const TITLES: Record<DasMetric, [string, string]> = {
  iia: ['DAS: IIA', 'IIA'],
  probe_accuracy: ['Probe accuracy', 'accuracy'],
  probe_control: ['Probe control (shuffled labels)', 'accuracy'],
};

export function dasGrid(r: DasOutput, metric: DasMetric): Grid {
  const layers = [...new Set(r.cells.map((c) => c.layer))].sort((a, b) => a - b);
  const positions = [...new Set(r.cells.map((c) => c.position))].sort((a, b) => a - b);
  const at = new Map(r.cells.map((c) => [`${c.layer}:${c.position}`, c[metric]]));
  return {
    title: TITLES[metric][0], valueLabel: TITLES[metric][1], kind: metric === 'iia' ? 'prob' : 'resid', domain: [0, 1],
    rows: positions.map((p) => `${r.position_tokens[p] ?? ''} (${p < 0 ? `−${-p}` : p})`),
    columns: layers.map(String), rowLabel: 'position', columnLabel: 'layer',
    values: positions.map((p) => layers.map((l) => at.get(`${l}:${p}`) ?? NaN)),
  };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** "0, 2,5" → [0, 2, 5]; "" or "all" → [] (every layer). */
export function parseLayers(text: string): Parsed<number[]> {
  const t = text.trim();
  if (t === '' || t === 'all') return { ok: true, value: [] };
  const parts = t.split(/[\s,]+/).filter(Boolean);
  const xs = parts.map(Number);
  const bad = parts.find((_, i) => !Number.isInteger(xs[i]) || xs[i]! < 0 || xs[i]! > 1023);
  return bad === undefined ? { ok: true, value: [...new Set(xs)].sort((a, b) => a - b) } : { ok: false, error: `"${bad}" is not a layer number` };
}

/** "all", "last", or token indices "−4,−3" / "-1" (negative: from the end). */
export function parsePositions(text: string): Parsed<'all' | 'last' | number[]> {
  const t = text.trim().replace(/−/g, '-');
  if (t === 'all' || t === 'last') return { ok: true, value: t };
  const parts = t.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return { ok: false, error: 'give all, last, or token indices (negative counts from the end)' };
  if (parts.length > 64) return { ok: false, error: 'at most 64 positions' };
  const xs = parts.map(Number);
  const bad = parts.find((_, i) => !Number.isInteger(xs[i]) || xs[i]! < -1024 || xs[i]! > 1023);
  return bad === undefined ? { ok: true, value: [...new Set(xs)] } : { ok: false, error: `"${bad}" is not a token index` };
}

export function positionsText(p: 'all' | 'last' | number[]): string {
  return typeof p === 'string' ? p : p.join(', ');
}

/** One name per line or comma-separated; blanks dropped, at most 256 names of 64 characters. */
export function parseNames(text: string): string[] {
  return text.split(/[\n,]+/).map((n) => n.trim()).filter(Boolean).slice(0, 256).map((n) => n.slice(0, 64));
}
