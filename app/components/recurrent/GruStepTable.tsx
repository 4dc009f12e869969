// Each step's output of a GRU run: the input symbol, the original's top symbol and probability, the intervened
// run's, and what the intervened run gives the original's symbol; changed steps are marked.
import type { GruStepRow } from '../../workers/gru-op';
import { ProbBar, formatProb } from '../common/ui';

export function GruStepTable({ rows, base, written }: { rows: GruStepRow[]; base: number[]; written: number | null }) {
  return (
    <table className="data gru-steps" data-testid="gru-step-table">
      <caption className="sr-only">Each step&apos;s top output symbol and probability, original and intervened</caption>
      <thead>
        <tr>
          <th scope="col">Step</th><th scope="col">Input</th><th scope="col">Original</th><th scope="col" className="num">p</th>
          <th scope="col">Intervened</th><th scope="col" className="num">p</th><th scope="col" className="num">p(original&apos;s) after</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const changed = r.original.id !== r.intervened.id;
          return (
            <tr key={r.t} data-step={r.t} data-changed={changed} className={changed ? 'gru-changed' : undefined}
              data-original={r.original.id} data-original-p={r.original.prob} data-intervened={r.intervened.id} data-intervened-p={r.intervened.prob}>
              <td>{r.t}{r.t === written ? <span className="badge" title="the step written">written</span> : null}</td>
              <td className="mono">{base[r.t] ?? '?'}</td>
              <td className="mono" data-col="original">{r.original.id}</td>
              <td className="num" data-col="original-p">{formatProb(r.original.prob)}</td>
              <td className="mono" data-col="intervened">{r.intervened.id}{changed ? ' ←' : ''}</td>
              <td className="num" data-col="intervened-p"><ProbBar p={r.intervened.prob} /></td>
              <td className="num" data-col="original-after">{formatProb(r.originalAfter)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
