// Screens by the kind of model that is open: a GRU gets the time-step panel on the Interventions screen, and the
// screens built for transformer language models (trace, sweep, generation, probes, attribution) say so plainly
// instead of failing; the Model screen and the Classroom (whose presets open their own model) stay as they are.
import type { ReactNode } from 'react';
import { useStore } from '../../state/store';
import { Panel } from '../common/ui';
import { GruScreen } from './GruScreen';

const WHAT: Record<string, string> = {
  trace: 'Causal tracing corrupts a subject’s token embeddings and restores one (token, layer) at a time',
  sweep: 'A patching sweep patches every (layer, token position) of a prompt',
  generate: 'Generation writes text token by token',
  probe: 'Probes and DAS train on a language model’s activations at token positions',
  attribution: 'Attribution patching estimates patching effects at token positions',
};

export function ModelKindSwitch({ view, children }: { view: string; children: ReactNode }) {
  const family = useStore((s) => (s.model.status === 'ready' ? s.model.summary?.family : undefined));
  if (family !== 'gru') return <>{children}</>;
  if (view === 'intervene') return <GruScreen />;
  if (view === 'model' || view === 'classroom') return <>{children}</>;
  return <RecurrentNotice what={WHAT[view] ?? 'This screen works on transformer language models'} />;
}

function RecurrentNotice({ what }: { what: string }) {
  const name = useStore((s) => s.model.summary?.name ?? 'this model');
  const setView = useStore((s) => s.setView);
  return (
    <div className="screen">
      <Panel title="Not for recurrent networks">
        <div className="stack" data-testid="recurrent-notice">
          <p>
            {what}: it needs a transformer language model (GPT-2 or GPT-NeoX). <strong>{name}</strong> is a recurrent network (GRU),
            which reads one symbol per time step and has no tokens, attention or text to generate.
          </p>
          <div className="row">
            <button type="button" className="btn btn-primary" onClick={() => setView('intervene')}>Time-step interventions on {name}</button>
            <button type="button" className="btn" onClick={() => setView('model')}>Open a transformer</button>
          </div>
        </div>
      </Panel>
    </div>
  );
}
