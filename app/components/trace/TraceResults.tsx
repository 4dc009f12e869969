// The causal trace's results: the scores that frame the plots (clean, corrupted), then one Meng-style heatmap per
// restored kind (tokens × layers, subject tokens starred, colour from the corrupted score up) and JSON export.
import { useMemo } from 'react';
import { useStore } from '../../state/store';
import { selectOp } from '../../state/run-slice';
import { Heatmap } from '../heatmap/Heatmap';
import type { Grid } from '../heatmap/draw-heatmap';
import { download, slug } from '../heatmap/export';
import { Panel, formatProb, tokenLabel } from '../common/ui';
import type { TraceKind, TraceOutput } from '../../workers/trace-op';

const TITLES: Record<TraceKind, string> = {
  resid: 'Restoring the residual stream',
  mlp: 'Restoring MLP outputs',
  attn: 'Restoring attention outputs',
};

export function traceGrids(r: TraceOutput, window: number): Grid[] {
  const layers = (r.scores.resid ?? r.scores.mlp ?? r.scores.attn ?? [[]])[0]!.length;
  const starred = r.tokens.map((_, i) => i >= r.subject_range[0] && i < r.subject_range[1]);
  return (['resid', 'mlp', 'attn'] as const).filter((k) => r.scores[k]).map((kind) => {
    const values = r.scores[kind]!;
    const max = Math.max(r.high_score, ...values.flat());
    return {
      title: kind === 'resid' ? TITLES[kind] : `${TITLES[kind]} (window ${window})`,
      rows: r.tokens, columns: Array.from({ length: layers }, (_, i) => String(i)), values, kind, starred,
      domain: [r.low_score, max], valueLabel: `p(${r.answer.text.trim() || r.answer.text})`, rowLabel: 'token', columnLabel: 'layer',
    };
  });
}

export function TraceResults() {
  const op = useStore(selectOp('trace'));
  const r = op.result;
  const window = useMemo(() => (op.inputs ? (JSON.parse(op.inputs) as { window: number }).window : 10), [op.inputs]);
  const grids = useMemo(() => (r ? traceGrids(r, window) : []), [r, window]);
  if (!r) {
    return <div className="empty">{op.status === 'running' ? 'Tracing…' : 'Run a trace to see where the fact is recalled.'}</div>;
  }
  const name = slug(`trace ${r.tokens.join('')}`);
  return (
    <Panel title="Results" actions={<button type="button" className="btn btn-small" onClick={() => download(`${name}.json`, JSON.stringify(r, null, 2), 'application/json')}>Export JSON</button>}>
      <div className="stat-row" data-testid="trace-stats">
        <div className="stat"><span className="stat-label">Answer</span><span className="stat-value"><code>{tokenLabel(r.answer.text)}</code></span></div>
        <div className="stat"><span className="stat-label">Clean p</span><span className="stat-value" data-testid="high-score">{formatProb(r.high_score)}</span></div>
        <div className="stat"><span className="stat-label">Corrupted p</span><span className="stat-value" data-testid="low-score">{formatProb(r.low_score)}</span></div>
        <div className="stat"><span className="stat-label">Noise</span><span className="stat-value">{r.noise.toFixed(3)}</span></div>
      </div>
      <div className="heatmaps" data-testid="trace-heatmaps">
        {grids.map((g) => <Heatmap key={g.kind} grid={g} filename={`${name}-${g.kind}`} testId={`heatmap-${g.kind}`} />)}
      </div>
    </Panel>
  );
}
