// The Classroom: every bundled model's presets one click away (open the model, set up the experiment, run it), the
// lesson switches a link carries (explanations, presentation mode with large type, hidden options), and a primer.
import { useState } from 'react';
import { useStore } from '../../state/store';
import { selectClassroom } from '../../state/experiment-slice';
import { selectCatalog } from '../../state/model-slice';
import type { BundledModel } from '../../state/catalog';
import type { Experiment } from '../../link/schema';
import { engineClient } from '../../workers/engine-client';
import { ErrorNote, Explainer, Panel } from '../common/ui';
import { multiSourcePreset, patchingPreset, steeringPreset, tracePreset, type CollectVector, type Tokenize } from './presets';
import { generationPreset } from '../generate/presets';

type Make = (e: Experiment, layers: number, tokenize: Tokenize, collect: CollectVector) => Experiment | Promise<Experiment>;

/** Opens the model if needed, builds the preset's experiment, shows its screen and runs it. */
async function applyPreset(id: string, make: Make): Promise<string | null> {
  const s = useStore.getState();
  const ref = { kind: 'bundled' as const, id };
  if (!(s.model.status === 'ready' && s.model.ref?.kind === 'bundled' && s.model.ref.id === id)) {
    s.setModelRef(ref);
    await s.openModel(ref);
  }
  const now = useStore.getState();
  if (now.model.status !== 'ready') return now.model.error?.message ?? 'the model did not open';
  const tokenize: Tokenize = async (text) => {
    const r = await engineClient.tokenize(text);
    if (!r.ok) throw new Error(r.error.message);
    return r.value.ids;
  };
  const collect: CollectVector = async (text, layer, pos) => {
    const doc = { base: text, config: { representations: [{ layer, component: 'block_output', intervention_type: 'CollectIntervention' }] }, unit_locations: { base: pos } };
    const r = await engineClient.experiment('run', doc, () => undefined).result;
    if (!r.ok) throw new Error(r.error.message);
    return r.value.collected[0]!.values[0]!;
  };
  try {
    const next = await make({ ...now.experiment, model: ref }, now.model.summary!.dims.nLayers, tokenize, collect);
    now.setExperiment(next);
    if (next.view === 'trace') now.runTrace();
    else if (next.view === 'sweep') now.runSweep();
    else if (next.view === 'intervene') now.runIntervention();
    else if (next.view === 'generate') now.runGenerate();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function Preset({ kind, title, text, onOpen }: { kind: string; title: string; text?: string; onOpen: () => void }) {
  return (
    <li className="preset">
      <span className="preset-kind">{kind}</span>
      <span className="preset-title">{title}</span>
      {text && <span className="preset-text" title={text}>{text}</span>}
      <button type="button" className="btn btn-small btn-primary" onClick={onOpen}>Open and run</button>
    </li>
  );
}

function ModelPresets({ m, onError }: { m: BundledModel; onError: (e: string | null) => void }) {
  const [more, setMore] = useState(false);
  const go = (make: Make) => void applyPreset(m.id, make).then(onError);
  const p = m.presets;
  const traces = more ? p.traces : p.traces.slice(0, 6);
  return (
    <Panel title={m.display_name}>
      <ul className="classroom-grid" aria-label={`${m.display_name} presets`} style={{ listStyle: 'none', margin: 0, padding: 0 }}>
        {traces.map((t) => (
          <Preset key={`t-${t.name}`} kind="Causal trace" title={t.name} text={`“${t.prompt}”, subject “${t.subject}”`}
            onOpen={() => go((e, layers) => tracePreset(e, t, layers))} />
        ))}
        {p.patching.map((t) => (
          <Preset key={`p-${t.name}`} kind="Patching sweep" title={t.name} text={t.note}
            onOpen={() => go((e, _l, tokenize) => patchingPreset(e, t, tokenize))} />
        ))}
        {p.multi_source.map((t) => (
          <Preset key={`m-${t.name}`} kind={t.mode === 'serial' ? 'Serial chain' : 'Two sources'} title={t.name} text={t.note} onOpen={() => go((e, layers, tokenize) => multiSourcePreset(e, t, layers, tokenize))} />
        ))}
        {p.steering.map((t) => (
          <Preset key={`s-${t.name}`} kind="Steering" title={t.name} text={t.note} onOpen={() => go((e, _l, tokenize, collect) => steeringPreset(e, t, tokenize, collect))} />
        ))}
        {p.generation.map((t) => (
          <Preset key={`g-${t.name}`} kind="Steering while generating" title={t.name} text={t.note} onOpen={() => go((e) => generationPreset(e, t))} />
        ))}
      </ul>
      {p.traces.length > 6 && (
        <button type="button" className="btn btn-small btn-ghost" onClick={() => setMore(!more)}>
          {more ? 'Fewer traces' : `All ${p.traces.length} trace prompts`}
        </button>
      )}
    </Panel>
  );
}

export function ClassroomScreen() {
  const catalog = useStore(selectCatalog);
  const classroom = useStore(selectClassroom);
  const patch = useStore((s) => s.patchClassroom);
  const [error, setError] = useState<string | null>(null);
  const models = (catalog ?? []).filter((m) => m.family === 'gpt2' || m.family === 'gpt_neox');
  const hidden = classroom.hide.includes('trace.options');
  return (
    <div className="screen screen-classroom">
      <div className="screen-intro">
        <h1>Classroom</h1>
        <p className="lede">Ready-made experiments on the bundled models: one click opens the model, sets up the experiment and runs it. Share the page&apos;s link to hand out a lesson.</p>
      </div>
      <Panel title="Lesson settings" className="lesson-settings">
        <div className="row" style={{ gap: '1.5rem' }}>
          <label className="toggle"><input type="checkbox" checked={classroom.explain} onChange={(e) => patch({ explain: e.target.checked })} data-testid="explain-toggle" />Show “What am I looking at?”</label>
          <label className="toggle"><input type="checkbox" checked={classroom.presentation} onChange={(e) => patch({ presentation: e.target.checked })} data-testid="presentation-toggle" />Presentation mode (large type)</label>
          <label className="toggle"><input type="checkbox" checked={hidden} onChange={(e) => patch({ hide: e.target.checked ? [...classroom.hide, 'trace.options'] : classroom.hide.filter((h) => h !== 'trace.options') })} />Hide the trace options</label>
        </div>
      </Panel>
      <ErrorNote error={error} title="The preset could not be opened" />
      <Explainer open={classroom.explain} title="A five-minute primer">
        <p><strong>Causal tracing</strong> breaks the model&apos;s knowledge of a fact by adding noise to the subject, then repairs one hidden state at a time to find where the fact is recalled.</p>
        <p><strong>Activation patching</strong> takes a hidden state from one prompt (the source) and writes it into another (the base): if the answer follows, that state carried the difference.</p>
        <p><strong>Steering</strong> adds the difference between two prompts&apos; hidden states to a third prompt, nudging what it says next.</p>
      </Explainer>
      {catalog === null && <p className="muted">Reading the bundled models…</p>}
      {catalog !== null && models.length === 0 && <div className="empty">This build has no bundled language models, so there are no presets.</div>}
      {models.map((m) => <ModelPresets key={m.id} m={m} onError={setError} />)}
    </div>
  );
}
