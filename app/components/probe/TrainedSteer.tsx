// Using a trained cell of the last DAS run (best IIA first): "Open in Interventions" puts the trained intervention
// itself (weights inline) at the cell's site and position of the example pair into the Interventions screen's
// document; "Open in Generate" puts direction 0 of its subspace into the Generate view's steering vector. Both travel
// in the link (the note says when a D×D rotation makes the link too long to share).
import { useMemo, useState } from 'react';
import { MAX_LINK_CHARS } from '../../link/codec';
import { useStore } from '../../state/store';
import type { DasOutput } from '../../workers/das-op';
import { linkLength, trainedInterventionDoc } from './trained-doc';

export function TrainedSteer({ result }: { result: DasOutput }) {
  const pick = useStore((s) => s.pickTrainedDirection);
  const patchGenerate = useStore((s) => s.patchGenerate);
  const setView = useStore((s) => s.setView);
  const openIntervention = useStore((s) => s.openTrainedIntervention);
  const cells = useMemo(() => [...result.cells].sort((a, b) => b.iia - a.iia), [result]);
  const [chosen, setChosen] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const cell = cells[chosen] ?? cells[0];
  const chars = useMemo(() => {
    if (!cell) return 0;
    const d = trainedInterventionDoc(result, cell);
    return d.ok ? linkLength(useStore.getState().experiment, d.doc) : 0;
  }, [result, cell]);
  if (!cell) return null;
  const steerable = result.intervention_type !== 'SigmoidMaskIntervention';
  const steer = () => {
    pick(cell);
    const dir = useStore.getState().trainedDirection;
    if (!dir) return;
    const g = useStore.getState().experiment.generate;
    patchGenerate({ use: 'steer', steer: { ...g.steer, kind: 'vector', vector: dir.values, layers: [dir.layer], component: dir.component } });
    setView('generate');
  };
  return (
    <div className="stack trained-use">
      <div className="row trained-steer">
        <label className="row small">Trained cell
          <select value={chosen} onChange={(e) => { setChosen(Number(e.target.value)); setProblem(null); }} data-testid="das-steer-cell">
            {cells.map((c, i) => (
              <option key={`${c.layer}:${c.position}`} value={i}>
                layer {c.layer} · {(result.position_tokens[c.position] ?? '').trim() || '␣'} ({String(c.position).replace('-', '−')}) · IIA {c.iia.toFixed(2)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn btn-small" onClick={() => setProblem(openIntervention(cell))} data-testid="das-open-intervention"
          title="Apply this trained intervention to the example pair on the Interventions screen">Open in Interventions</button>
        {steerable && <button type="button" className="btn btn-small" onClick={steer} data-testid="das-steer"
          title="Steer generation with direction 0 of this subspace">Open in Generate</button>}
      </div>
      {problem && <p className="note" role="alert">{problem}</p>}
      {chars > MAX_LINK_CHARS && (
        <p className="small muted" data-testid="das-link-too-long">
          This intervention&apos;s weights make the link {chars.toLocaleString('en')} characters long (links hold {MAX_LINK_CHARS.toLocaleString('en')}): it
          opens here, but a shared link will not carry it. Use Export as Python, or a rank-1 LowRank intervention.
        </p>
      )}
    </div>
  );
}
