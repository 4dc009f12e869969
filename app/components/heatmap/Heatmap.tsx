// The React face of a heatmap: one effect creates the SVG drawing for the grid and destroys it on change or unmount
// (redrawing when the container is resized), plus SVG / PNG / CSV export buttons.
import { useEffect, useRef } from 'react';
import { createHeatmap, type Grid, type HeatmapHandle } from './draw-heatmap';
import { download, gridCsv, pngBlob, svgText } from './export';

export function Heatmap({ grid, filename, testId }: { grid: Grid; filename: string; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const handle = useRef<HeatmapHandle | null>(null);

  useEffect(() => {
    const el = box.current!;
    const h = createHeatmap(el, grid);
    handle.current = h;
    let width = el.clientWidth;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ro = new ResizeObserver(() => {
      if (Math.abs(el.clientWidth - width) < 24) return;
      width = el.clientWidth;
      clearTimeout(timer);
      timer = setTimeout(() => h.update(grid), 120);
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      clearTimeout(timer);
      h.destroy();
      handle.current = null;
    };
  }, [grid]);

  const svg = () => handle.current?.svg();
  return (
    <figure className="heatmap-figure" data-testid={testId}>
      <div ref={box} className="heatmap-box" />
      <figcaption className="heatmap-actions">
        <span className="muted small">Export</span>
        <button type="button" className="btn btn-small" onClick={() => { const s = svg(); if (s) download(`${filename}.svg`, svgText(s), 'image/svg+xml'); }}>SVG</button>
        <button type="button" className="btn btn-small" onClick={() => { const s = svg(); if (s) void pngBlob(s).then((b) => download(`${filename}.png`, b)); }}>PNG</button>
        <button type="button" className="btn btn-small" onClick={() => download(`${filename}.csv`, gridCsv(grid), 'text/csv')}>CSV</button>
      </figcaption>
    </figure>
  );
}
