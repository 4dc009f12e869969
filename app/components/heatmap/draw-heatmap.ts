// A framework-free heatmap over a typed grid (rows × columns of numbers), drawn as SVG with d3 modules: cells, row
// and column axes, a colour legend, a tooltip that follows the mouse or the keyboard cursor. create → update → destroy.
import { select, type Selection } from 'd3-selection';
import { scaleBand, scaleLinear, scaleSequential, scaleDiverging } from 'd3-scale';
import { axisBottom, axisLeft, axisRight } from 'd3-axis';
import { interpolateBlues, interpolateGreens, interpolatePurples, interpolateReds, interpolateRdBu } from 'd3-scale-chromatic';

/** resid / mlp / attn: Meng et al.'s Purples / Greens / Reds; prob: Blues; diff: a diverging scale around 0. */
export type HeatmapKind = 'resid' | 'mlp' | 'attn' | 'prob' | 'diff';

export interface Grid {
  title: string;
  rows: string[];
  columns: string[];
  /** values[row][column]. */
  values: number[][];
  kind: HeatmapKind;
  /** Rows marked with a star (the subject's tokens in a trace). */
  starred?: boolean[];
  /** Cells outlined as checked (marked[row][column]), e.g. attribution cells verified exactly. */
  marked?: boolean[][];
  /** The colour scale's [low, high]; default: the values' range. */
  domain?: [number, number];
  /** Legend title, e.g. "p( Paris)". */
  valueLabel: string;
  rowLabel?: string;
  columnLabel?: string;
}

export interface HeatmapHandle {
  update(grid: Grid): void;
  destroy(): void;
  svg(): SVGSVGElement;
}

const INTERPOLATORS = { resid: interpolatePurples, mlp: interpolateGreens, attn: interpolateReds, prob: interpolateBlues };
const FONT = '11px ui-sans-serif, system-ui, -apple-system, "Segoe UI", sans-serif';
const ROW_H = 20;
const LEGEND_W = 64;

let measurer: CanvasRenderingContext2D | null = null;
function textWidth(s: string): number {
  measurer ??= document.createElement('canvas').getContext('2d');
  if (!measurer) return s.length * 6.5;
  measurer.font = FONT;
  return measurer.measureText(s).width;
}

export function rowText(grid: Grid, r: number): string {
  const label = grid.rows[r]!.replace(/\n/g, '\\n') || '␣';
  return grid.starred?.[r] ? `${label}*` : label;
}

export function colourScale(grid: Grid): (v: number) => string {
  const flat = grid.values.flat().filter(Number.isFinite);
  const lo = grid.domain?.[0] ?? Math.min(...flat, 0);
  const hi = grid.domain?.[1] ?? Math.max(...flat, lo + 1e-9);
  if (grid.kind === 'diff') {
    const m = Math.max(Math.abs(lo), Math.abs(hi), 1e-9);
    const s = scaleDiverging((t: number) => interpolateRdBu(1 - t)).domain([-m, 0, m]).clamp(true);
    return (v) => s(v);
  }
  const s = scaleSequential(INTERPOLATORS[grid.kind]).domain([lo, hi <= lo ? lo + 1e-9 : hi]).clamp(true);
  return (v) => s(v);
}

export function formatValue(v: number): string {
  return Math.abs(v) >= 0.001 || v === 0 ? v.toFixed(4) : v.toExponential(3);
}

export function createHeatmap(container: HTMLElement, initial: Grid): HeatmapHandle {
  const root = select(container).classed('heatmap', true);
  const svg = root.append('svg').attr('xmlns', 'http://www.w3.org/2000/svg').attr('role', 'img').attr('tabindex', 0);
  const tip = root.append('div').attr('class', 'heatmap-tip').attr('role', 'status').attr('aria-live', 'polite').style('opacity', 0);
  let grid = initial;
  let cursor: [number, number] | null = null;
  let layout = { left: 0, top: 0, cw: 0, rh: ROW_H };

  function showTip(r: number, c: number): void {
    const v = grid.values[r]?.[c];
    if (v === undefined) return;
    const row = rowText(grid, r);
    tip.style('opacity', 1)
      .html('')
      .call((t) => {
        t.append('div').attr('class', 'heatmap-tip-title').text(`${grid.rowLabel ?? 'token'} “${row}” · ${grid.columnLabel ?? 'layer'} ${grid.columns[c]}`);
        t.append('div').text(`${grid.valueLabel} = ${formatValue(v)}`);
      });
    const x = layout.left + (c + 1) * layout.cw + 8;
    const y = layout.top + r * layout.rh - 4;
    const box = (svg.node() as SVGSVGElement).getBoundingClientRect();
    const scale = box.width / Number(svg.attr('width') || box.width || 1);
    tip.style('left', `${Math.min(x * scale, box.width - 180)}px`).style('top', `${y * scale}px`);
    svg.selectAll('.heatmap-cursor').remove();
    svg.append('rect').attr('class', 'heatmap-cursor').attr('pointer-events', 'none')
      .attr('x', layout.left + c * layout.cw).attr('y', layout.top + r * layout.rh)
      .attr('width', layout.cw).attr('height', layout.rh).attr('fill', 'none').attr('stroke', '#111827').attr('stroke-width', 1.5);
  }

  function hideTip(): void {
    tip.style('opacity', 0);
    svg.selectAll('.heatmap-cursor').remove();
  }

  function draw(): void {
    svg.selectAll('*').remove();
    const nR = grid.rows.length;
    const nC = grid.columns.length;
    const left = Math.ceil(Math.max(40, ...grid.rows.map((_, r) => textWidth(rowText(grid, r))))) + 12;
    const top = 30;
    const available = Math.max(240, container.clientWidth || 480);
    const cw = Math.max(12, Math.min(44, Math.floor((available - left - LEGEND_W - 16) / Math.max(1, nC))));
    const width = left + nC * cw + LEGEND_W + 16;
    const height = top + Math.max(nR * ROW_H, 60) + 40; // the legend bar is at least 60 px tall (grids of one or two rows)
    layout = { left, top, cw, rh: ROW_H };
    const colour = colourScale(grid);
    svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`)
      .attr('font-family', 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", sans-serif').attr('font-size', 11)
      .attr('aria-label', `${grid.title}: ${nR} ${grid.rowLabel ?? 'token'}s by ${nC} ${grid.columnLabel ?? 'layer'}s; use the arrow keys to read values`);
    svg.append('rect').attr('width', width).attr('height', height).attr('fill', '#ffffff');
    svg.append('text').attr('x', 4).attr('y', 16).attr('font-size', 12).attr('font-weight', 600).attr('fill', '#111827').text(grid.title);
    const x = scaleBand<number>().domain(grid.columns.map((_, i) => i)).range([left, left + nC * cw]);
    const y = scaleBand<number>().domain(grid.rows.map((_, i) => i)).range([top, top + nR * ROW_H]);
    const cells = svg.append('g').attr('class', 'heatmap-cells');
    grid.values.forEach((row, r) => row.forEach((v, c) => {
      cells.append('rect').attr('x', x(c)!).attr('y', y(r)!).attr('width', cw).attr('height', ROW_H)
        .attr('fill', Number.isFinite(v) ? colour(v) : '#e5e7eb')
        .attr('data-row', r).attr('data-col', c).attr('data-value', String(v))
        .on('mouseenter', () => { cursor = [r, c]; showTip(r, c); });
    }));
    cells.on('mouseleave', () => { cursor = null; hideTip(); });
    grid.marked?.forEach((row, r) => row.forEach((m, c) => {
      if (m) cells.append('rect').attr('class', 'heatmap-mark').attr('pointer-events', 'none').attr('x', x(c)! + 1).attr('y', y(r)! + 1)
        .attr('width', cw - 2).attr('height', ROW_H - 2).attr('fill', 'none').attr('stroke', '#f59e0b').attr('stroke-width', 2).attr('data-row', r).attr('data-col', c);
    }));
    const yAxis = axisLeft(y).tickSize(0).tickPadding(6).tickFormat((r) => rowText(grid, r));
    const gy = svg.append('g').attr('transform', `translate(${left},0)`).call(yAxis);
    gy.select('.domain').remove();
    gy.selectAll<SVGTextElement, number>('text').attr('fill', (r) => (grid.starred?.[r] ? '#111827' : '#374151'))
      .attr('font-weight', (r) => (grid.starred?.[r] ? 600 : 400)).attr('font-size', 11);
    const step = Math.ceil(nC / Math.max(1, Math.floor((nC * cw) / 28)));
    const xAxis = axisBottom(x).tickSize(3).tickFormat((c) => grid.columns[c]!)
      .tickValues(grid.columns.map((_, i) => i).filter((i) => i % step === 0));
    const gx = svg.append('g').attr('transform', `translate(0,${top + nR * ROW_H})`).call(xAxis);
    styleAxis(gx);
    svg.append('text').attr('x', left + (nC * cw) / 2).attr('y', top + nR * ROW_H + 32).attr('text-anchor', 'middle')
      .attr('fill', '#4b5563').text(grid.columnLabel ?? 'layer');
    drawLegend(svg, grid, colour, left + nC * cw + 14, top, nR * ROW_H);
  }

  function onKey(e: KeyboardEvent): void {
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (e.key === 'Escape') { cursor = null; hideTip(); return; }
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    const [r, c] = cursor ?? [0, 0];
    cursor = cursor ? [clamp(r + m[0], grid.rows.length), clamp(c + m[1], grid.columns.length)] : [0, 0];
    showTip(cursor[0], cursor[1]);
  }

  svg.on('keydown', onKey).on('blur', () => { cursor = null; hideTip(); });
  draw();
  return {
    update(next) { grid = next; cursor = null; hideTip(); draw(); },
    destroy() { svg.on('keydown', null).on('blur', null); root.selectAll('*').remove(); root.classed('heatmap', false); },
    svg: () => svg.node() as SVGSVGElement,
  };
}

function clamp(v: number, n: number): number {
  return Math.max(0, Math.min(n - 1, v));
}

function styleAxis(g: Selection<SVGGElement, unknown, null, undefined>): void {
  g.select('.domain').attr('stroke', '#9ca3af');
  g.selectAll('line').attr('stroke', '#9ca3af');
  g.selectAll('text').attr('fill', '#4b5563').attr('font-size', 10);
}

function drawLegend(svg: Selection<SVGSVGElement, unknown, null, undefined>, grid: Grid, colour: (v: number) => string, x0: number, y0: number, h: number): void {
  const flat = grid.values.flat().filter(Number.isFinite);
  let lo = grid.domain?.[0] ?? Math.min(...flat, 0);
  let hi = grid.domain?.[1] ?? Math.max(...flat, lo + 1e-9);
  if (grid.kind === 'diff') { const m = Math.max(Math.abs(lo), Math.abs(hi), 1e-9); lo = -m; hi = m; }
  const barH = Math.max(60, h);
  const id = `hm-grad-${Math.random().toString(36).slice(2, 9)}`;
  const grad = svg.append('defs').append('linearGradient').attr('id', id).attr('x1', 0).attr('x2', 0).attr('y1', 1).attr('y2', 0);
  for (let i = 0; i <= 10; i++) grad.append('stop').attr('offset', `${i * 10}%`).attr('stop-color', colour(lo + ((hi - lo) * i) / 10));
  svg.append('rect').attr('x', x0).attr('y', y0).attr('width', 10).attr('height', barH).attr('fill', `url(#${id})`).attr('stroke', '#d1d5db');
  const s = scaleLinear().domain([lo, hi]).range([y0 + barH, y0]);
  const g = svg.append('g').attr('transform', `translate(${x0 + 10},0)`).call(axisRight(s).ticks(Math.max(2, Math.floor(barH / 30))).tickSize(3));
  styleAxis(g);
  g.select('.domain').remove();
  svg.append('text').attr('x', x0).attr('y', y0 + barH + 22).attr('fill', '#4b5563').attr('font-size', 10).text(grid.valueLabel);
}
