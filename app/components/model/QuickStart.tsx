// The Model screen's quick start: one click traces where the bundled default model recalls "The Eiffel Tower is
// located in the city of" (the model is opened on the first visit already; see state/first-visit.ts).
import { useStore } from '../../state/store';
import { selectCatalog, selectModel } from '../../state/model-slice';
import { defaultModel, quickTrace } from '../../state/first-visit';
import { DEFAULT_PROMPT } from '../../link/schema';
import { Panel } from '../common/ui';

export function QuickStart() {
  const catalog = useStore(selectCatalog);
  const model = useStore(selectModel);
  const m = catalog ? defaultModel() : null;
  if (!m) return null;
  const mine = model.ref?.kind === 'bundled' && model.ref.id === m.id;
  const state = mine && model.status === 'ready' ? 'ready' : mine && model.status === 'loading' ? 'opening' : 'closed';
  return (
    <Panel title="Quick start">
      <div className="stack">
        <p className="card-text">
          Where does <strong>{m.display_name}</strong> keep the fact that the Eiffel Tower is in Paris? Corrupt the subject, restore one
          state at a time, and see three heatmaps in a few seconds.
        </p>
        <div className="row">
          <button type="button" className="btn btn-primary" onClick={() => void quickTrace()} data-testid="quick-trace">
            Trace “{DEFAULT_PROMPT}”
          </button>
          <span className="small muted" data-testid="quick-trace-state">
            {state === 'ready' ? `${m.display_name} is open` : state === 'opening' ? `opening ${m.display_name}…` : `opens ${m.display_name} first`}
          </span>
        </div>
      </div>
    </Panel>
  );
}
