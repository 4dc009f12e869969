// The React face of the training views' small charts (draw-charts.ts): one effect draws the chart for its spec and
// removes it on change or unmount.
import { useEffect, useRef } from 'react';

export function Chart<S>({ spec, draw, testId }: { spec: S; draw: (el: HTMLElement, spec: S) => { destroy(): void }; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const h = draw(box.current!, spec);
    return () => h.destroy();
  }, [spec, draw]);
  return <div ref={box} className="chart-box" data-testid={testId} />;
}
