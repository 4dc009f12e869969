// Two small framework-free SVG charts for the training views, drawn with d3 modules: a line (the DAS loss curve, one
// point per step) and a scatter (attribution estimate vs exact patch effect, with the y = x line). create → destroy.
import { select } from 'd3-selection';
import { scaleLinear } from 'd3-scale';
import { axisBottom, axisLeft } from 'd3-axis';

export interface LineSpec { values: number[]; xLabel: string; yLabel: string; title: string }
export interface ScatterPoint { x: number; y: number; label: string; marked?: boolean }
export interface ScatterSpec { points: ScatterPoint[]; xLabel: string; yLabel: string; title: string }

const W = 420;
const H = 220;
const M = { left: 48, right: 14, top: 26, bottom: 40 };
const FONT = 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", sans-serif';

function frame(container: HTMLElement, title: string, label: string) {
  const svg = select(container).append('svg').attr('xmlns', 'http://www.w3.org/2000/svg').attr('width', W).attr('height', H)
    .attr('viewBox', `0 0 ${W} ${H}`).attr('role', 'img').attr('aria-label', label).attr('font-family', FONT).attr('font-size', 10);
  svg.append('rect').attr('width', W).attr('height', H).attr('fill', '#ffffff');
  svg.append('text').attr('x', 4).attr('y', 15).attr('font-size', 12).attr('font-weight', 600).attr('fill', '#111827').text(title);
  return svg;
}

function axes(svg: ReturnType<typeof frame>, x: ReturnType<typeof scaleLinear<number, number>>, y: ReturnType<typeof scaleLinear<number, number>>, xLabel: string, yLabel: string): void {
  const gx = svg.append('g').attr('transform', `translate(0,${H - M.bottom})`).call(axisBottom(x).ticks(6).tickSize(3));
  const gy = svg.append('g').attr('transform', `translate(${M.left},0)`).call(axisLeft(y).ticks(5).tickSize(3));
  for (const g of [gx, gy]) {
    g.select('.domain').attr('stroke', '#9ca3af');
    g.selectAll('line').attr('stroke', '#9ca3af');
    g.selectAll('text').attr('fill', '#4b5563');
  }
  svg.append('text').attr('x', (M.left + W - M.right) / 2).attr('y', H - 8).attr('text-anchor', 'middle').attr('fill', '#4b5563').text(xLabel);
  svg.append('text').attr('transform', `translate(12,${(M.top + H - M.bottom) / 2}) rotate(-90)`).attr('text-anchor', 'middle').attr('fill', '#4b5563').text(yLabel);
}

function extent(xs: number[]): [number, number] {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

export function createLineChart(container: HTMLElement, spec: LineSpec): { destroy(): void } {
  const svg = frame(container, spec.title, `${spec.title}: ${spec.values.length} points`);
  const n = Math.max(2, spec.values.length);
  const x = scaleLinear().domain([1, n]).range([M.left, W - M.right]);
  const y = scaleLinear().domain(spec.values.length ? [0, Math.max(...spec.values) * 1.05 || 1] : [0, 1]).nice().range([H - M.bottom, M.top]);
  axes(svg, x, y, spec.xLabel, spec.yLabel);
  const d = spec.values.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`).join('');
  if (d) svg.append('path').attr('d', d).attr('fill', 'none').attr('stroke', '#4f46e5').attr('stroke-width', 1.6).attr('data-testid', 'loss-line');
  return { destroy: () => svg.remove() };
}

export function createScatter(container: HTMLElement, spec: ScatterSpec): { destroy(): void } {
  const svg = frame(container, spec.title, `${spec.title}: ${spec.points.length} points`);
  const all = spec.points.flatMap((p) => [p.x, p.y]);
  const [lo, hi] = extent(all.length ? all : [0, 1]);
  const x = scaleLinear().domain([lo, hi]).nice().range([M.left, W - M.right]);
  const y = scaleLinear().domain([lo, hi]).nice().range([H - M.bottom, M.top]);
  axes(svg, x, y, spec.xLabel, spec.yLabel);
  const [a, b] = x.domain() as [number, number];
  svg.append('line').attr('x1', x(a)).attr('y1', y(a)).attr('x2', x(b)).attr('y2', y(b)).attr('stroke', '#d1d5db').attr('stroke-dasharray', '4 3');
  const dots = svg.append('g').attr('data-testid', 'scatter-points');
  for (const p of spec.points) {
    dots.append('circle').attr('cx', x(p.x)).attr('cy', y(p.y)).attr('r', p.marked ? 4.5 : 3.2)
      .attr('fill', p.marked ? '#f59e0b' : '#4f46e5').attr('fill-opacity', p.marked ? 0.95 : 0.6)
      .attr('stroke', p.marked ? '#92400e' : 'none').attr('data-marked', p.marked ? '1' : '0')
      .append('title').text(`${p.label}: ${spec.xLabel} ${p.x.toFixed(3)}, ${spec.yLabel} ${p.y.toFixed(3)}`);
  }
  return { destroy: () => svg.remove() };
}
