// The intervention run's results: the next-token table (original vs intervened probabilities over the union of
// both top-k lists, with deltas) and the values collected by Collect interventions.
import type { ExperimentResult } from '../../../engine/experiment/run-experiment';
import type { RunOutput } from '../../workers/engine-ops';
import { ProbBar, formatProb, tokenLabel } from '../common/ui';

interface Row { id: number; token: string | null; before: number | null; after: number | null }

export function nextTokenRows(r: ExperimentResult | RunOutput): Row[] {
  if ('table' in r) return r.table;
  const rows = new Map<number, Row>();
  for (const t of r.original.top_k) rows.set(t.id, { id: t.id, token: t.token, before: t.prob, after: null });
  for (const t of r.intervened.top_k) {
    const row = rows.get(t.id) ?? { id: t.id, token: t.token, before: null, after: null };
    row.after = t.prob;
    rows.set(t.id, row);
  }
  return [...rows.values()].sort((a, b) => (b.after ?? -1) - (a.after ?? -1) || (b.before ?? -1) - (a.before ?? -1));
}

function Delta({ row }: { row: Row }) {
  if (row.before === null || row.after === null) return <span className="muted">—</span>;
  const d = row.after - row.before;
  const cls = Math.abs(d) < 0.0005 ? '' : d > 0 ? 'delta-up' : 'delta-down';
  return <span className={cls}>{d >= 0 ? '+' : '−'}{formatProb(Math.abs(d))}</span>;
}

export function InterventionResults({ result }: { result: ExperimentResult | RunOutput }) {
  const rows = nextTokenRows(result);
  return (
    <div className="stack">
      <table className="data" data-testid="next-token-table">
        <caption className="sr-only">Next-token probabilities before and after the intervention</caption>
        <thead>
          <tr><th scope="col">Token</th><th scope="col" className="num">Original p</th><th scope="col" className="num">Intervened p</th><th scope="col" className="num">Δ</th></tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} data-token-id={row.id}>
              <td><code>{tokenLabel(row.token)}</code></td>
              <td className="num" data-col="before">{row.before === null ? <span className="muted">not in top {result.original.top_k.length}</span> : formatProb(row.before)}</td>
              <td className="num" data-col="after">
                {row.after === null ? <span className="muted">not in top {result.intervened.top_k.length}</span> : <ProbBar p={row.after} />}
              </td>
              <td className="num"><Delta row={row} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.collected.length > 0 && (
        <div data-testid="collected">
          <h3>Collected values</h3>
          <table className="data">
            <thead><tr><th scope="col">#</th><th scope="col">Site</th><th scope="col">Unit</th><th scope="col" className="num">Size</th><th scope="col" className="num">‖x‖</th><th scope="col">First values</th></tr></thead>
            <tbody>
              {result.collected.flatMap((c) => c.values.map((v, k) => (
                <tr key={`${c.intervention}-${k}`}>
                  <td>{c.intervention}</td>
                  <td><code>{c.site}</code></td>
                  <td>{unitText(c.units[k])}</td>
                  <td className="num">{v.length}</td>
                  <td className="num">{Math.hypot(...v).toFixed(3)}</td>
                  <td className="mono small">{v.slice(0, 4).map((x) => x.toFixed(3)).join(', ')}{v.length > 4 ? ', …' : ''}</td>
                </tr>
              )))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function unitText(u: { pos?: number; head?: number } | undefined): string {
  if (!u) return '';
  return [u.head !== undefined ? `head ${u.head}` : null, u.pos !== undefined ? `pos ${u.pos}` : null].filter(Boolean).join(', ');
}
