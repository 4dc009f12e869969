// "Steer with a trained direction": picks a cell of the last DAS run (best IIA first) and puts direction 0 of its
// subspace into the Generate view's explicit steering vector, at the cell's layer and component, then opens Generate.
// The vector (D numbers) travels in the link with the Generate settings.
import { useState } from 'react';
import { useStore } from '../../state/store';
import type { DasOutput } from '../../workers/das-op';

export function TrainedSteer({ result }: { result: DasOutput }) {
  const pick = useStore((s) => s.pickTrainedDirection);
  const patchGenerate = useStore((s) => s.patchGenerate);
  const setView = useStore((s) => s.setView);
  const cells = [...result.cells].sort((a, b) => b.iia - a.iia);
  const [chosen, setChosen] = useState(0);
  if (result.intervention_type === 'SigmoidMaskIntervention' || cells.length === 0) return null;
  const steer = () => {
    const c = cells[chosen] ?? cells[0]!;
    pick(c);
    const dir = useStore.getState().trainedDirection;
    if (!dir) return;
    const g = useStore.getState().experiment.generate;
    patchGenerate({ use: 'steer', steer: { ...g.steer, kind: 'vector', vector: dir.values, layers: [dir.layer], component: dir.component } });
    setView('generate');
  };
  return (
    <div className="row trained-steer">
      <label className="row small">Steer with the direction at
        <select value={chosen} onChange={(e) => setChosen(Number(e.target.value))} data-testid="das-steer-cell">
          {cells.map((c, i) => (
            <option key={`${c.layer}:${c.position}`} value={i}>
              layer {c.layer} · {(result.position_tokens[c.position] ?? '').trim() || '␣'} ({String(c.position).replace('-', '−')}) · IIA {c.iia.toFixed(2)}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="btn btn-small" onClick={steer} data-testid="das-steer">Open in Generate</button>
    </div>
  );
}
