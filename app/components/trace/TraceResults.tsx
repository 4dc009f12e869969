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
  resid: 'Residual stream restored',
  mlp: 'MLP restored',
  attn: 'Attention restored',
};

export function traceGrids(r: TraceOutput): Grid[] {
  const layers = (r.scores.resid ?? r.scores.mlp ?? r.scores.attn ?? [[]])[0]!.length;
  const starred = r.tokens.map((_, i) => i >= r.subject_range[0] && i < r.subject_range[1]);
  return (['resid', 'mlp', 'attn'] as const).filter((k) => r.scores[k]).map((kind) => {
    const values = r.scores[kind]!;
    // As in ROME's plots: the colour runs from the corrupted score to the largest restored one.
    const max = Math.max(...values.flat().filter(Number.isFinite)); // an imported file's missing cells are NaN
    return {
      title: kind === 'resid' ? TITLES[kind] : `${TITLES[kind]} (window ${r.window})`,
      rows: r.tokens, columns: Array.from({ length: layers }, (_, i) => String(i)), values, kind, starred,
      domain: [r.low_score, max], valueLabel: `p(${answerText(r).trim() || answerText(r)})`, rowLabel: 'token', columnLabel: 'layer',
    };
  });
}

function answerText(r: TraceOutput): string {
  return r.answer.text ?? `#${r.answer.id}`;
}

function noiseText(r: TraceOutput): string {
  const n = r.noise;
  if (n.kind === 'replace') return 'token replacement';
  if (n.scale === null) return n.kind;
  return n.embedding_std !== null && typeof n.spec === 'string' ? `${n.scale.toFixed(3)} (${n.spec.slice(1) || 1} × std)` : n.scale.toFixed(3);
}

export function TraceResults() {
  const op = useStore(selectOp('trace'));
  const r = op.result;
  const grids = useMemo(() => (r ? traceGrids(r) : []), [r]);
  if (!r) {
    return <div className="empty">{op.status === 'running' ? 'Tracing…' : 'Run a trace to see where the fact is recalled.'}</div>;
  }
  const name = slug(`trace ${r.tokens.join('')}`);
  return (
    <Panel title="Results" actions={<button type="button" className="btn btn-small" onClick={() => download(`${name}.json`, JSON.stringify(r, null, 2), 'application/json')}>Export JSON</button>}>
      <div className="stat-row" data-testid="trace-stats">
        <div className="stat"><span className="stat-label">Answer</span><span className="stat-value"><code>{tokenLabel(answerText(r))}</code></span></div>
        <div className="stat"><span className="stat-label">Clean p</span><span className="stat-value" data-testid="high-score">{formatProb(r.high_score)}</span></div>
        <div className="stat"><span className="stat-label">Corrupted p</span><span className="stat-value" data-testid="low-score">{formatProb(r.low_score)}</span></div>
        <div className="stat"><span className="stat-label">Samples</span><span className="stat-value">{r.samples}</span></div>
        <div className="stat"><span className="stat-label">Corruption</span><span className="stat-value">{noiseText(r)}</span></div>
      </div>
      <div className="heatmaps" data-testid="trace-heatmaps">
        {grids.map((g) => <Heatmap key={g.kind} grid={g} filename={`${name}-${g.kind}`} testId={`heatmap-${g.kind}`} />)}
      </div>
    </Panel>
  );
}
