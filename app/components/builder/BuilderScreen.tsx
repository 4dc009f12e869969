// The Intervention builder: base and source prompts, the model's site grid (click a site to add or select an
// intervention), the selected intervention's editor, the live pyvene-style JSON, and Run → next-token table.
import { useMemo } from 'react';
import { useStore } from '../../state/store';
import { selectClassroom, selectIntervention } from '../../state/experiment-slice';
import { selectOp } from '../../state/run-slice';
import { selectBuilder } from '../../state/view-slice';
import { COMPONENT_INFO, type Component } from '../../../engine/sites/components';
import type { ExperimentProgress } from '../../../engine/experiment/run-experiment';
import { usePrediction } from '../common/hooks';
import { RunBar } from '../common/RunBar';
import { TokenStrip } from '../common/TokenStrip';
import { Explainer, Field, Panel } from '../common/ui';
import { download } from '../heatmap/export';
import { buildDoc, newRep, parseDoc, type BuilderModel } from './builder-doc';
import { InterventionResults } from './InterventionResults';
import { JsonEditor } from './JsonEditor';
import { RepEditor, needsSource } from './RepEditor';
import { SiteDiagram } from './SiteDiagram';

const NO_GAPS: Record<string, string> = {};

export function BuilderScreen() {
  const doc = useStore(selectIntervention);
  const setDoc = useStore((s) => s.setIntervention);
  const classroom = useStore(selectClassroom);
  const builder = useStore(selectBuilder);
  const selectRep = useStore((s) => s.selectRep);
  const setShowHeads = useStore((s) => s.setShowHeads);
  const dims = useStore((s) => s.model.summary?.dims ?? null);
  const unavailable = useStore((s) => s.model.summary?.unavailableSites ?? NO_GAPS);
  const op = useStore(selectOp('intervention'));
  const run = useStore((s) => s.runIntervention);
  const cancel = useStore((s) => s.cancelOp);
  const parsed = useMemo(() => parseDoc(doc), [doc]);
  const model = parsed.ok ? parsed.value : null;
  const base = usePrediction(model?.base ?? '');
  const s0 = usePrediction(model?.sources[0] ?? '');
  const s1 = usePrediction(model?.sources[1] ?? '');
  const s2 = usePrediction(model?.sources[2] ?? '');
  const sourceTokens = [s0, s1, s2].map((p) => p?.result?.tokens ?? []);
  const baseTokens = base?.result?.tokens ?? [];

  const update = (m: BuilderModel) => setDoc(buildDoc(m, needsSource));
  const sel = model && builder.rep !== null && builder.rep < model.reps.length ? builder.rep : null;

  const onSite = (layer: number, component: string) => {
    if (!model) return;
    const existing = model.reps.findIndex((r) => r.layer === layer && r.component === component);
    if (existing >= 0) return selectRep(existing);
    const perHead = COMPONENT_INFO[component as Component].perHead;
    const rep = newRep(layer, component, perHead, Math.max(0, baseTokens.length - 1), Math.max(0, (sourceTokens[0]?.length ?? baseTokens.length) - 1));
    update({ ...model, reps: [...model.reps, rep] });
    selectRep(model.reps.length);
  };

  return (
    <div className="screen screen-builder">
      <div className="screen-intro">
        <h1>Interventions</h1>
        <p className="lede">Build a pyvene-style experiment by clicking: choose sites in the model, the tokens they act on, and what happens there.</p>
      </div>
      <div className="columns columns-builder">
        <div className="stack">
          {model ? (
            <Panel title="Inputs">
              <div className="form-grid">
                <Field label="Base prompt" hint="The run that is intervened on.">
                  {(id) => <textarea id={id} rows={2} value={model.base} onChange={(e) => update({ ...model, base: e.target.value })} data-testid="builder-base" />}
                </Field>
                {baseTokens.length > 0 && <TokenStrip label="Base tokens" tokens={baseTokens} />}
                {model.sources.map((s, i) => (
                  <div key={i} className="source-block">
                    <Field label={`Source ${i}`}>
                      {(id) => <textarea id={id} rows={2} value={s} data-testid={`builder-source-${i}`}
                        onChange={(e) => update({ ...model, sources: model.sources.map((x, k) => (k === i ? e.target.value : x)) })} />}
                    </Field>
                    <button type="button" className="btn btn-small btn-ghost" onClick={() => update({
                      ...model, sources: model.sources.filter((_, k) => k !== i),
                      reps: model.reps.map((r) => ({ ...r, sourceIndex: r.sourceIndex > i ? r.sourceIndex - 1 : Math.min(r.sourceIndex, Math.max(0, model.sources.length - 2)) })),
                    })}>Remove source {i}</button>
                  </div>
                ))}
                {model.sources.length < 3 && (
                  <button type="button" className="btn btn-small" onClick={() => update({ ...model, sources: [...model.sources, model.sources[0] ?? model.base] })}>Add a source</button>
                )}
              </div>
            </Panel>
          ) : (
            <Panel title="Inputs"><p className="note">{!parsed.ok && parsed.reason}</p></Panel>
          )}
          <Panel title="Experiment JSON" className="json-panel">
            <JsonEditor doc={doc} onApply={setDoc} />
          </Panel>
        </div>
        <div className="stack">
          <Explainer open={classroom.explain}>
            <p>
              An <strong>interchange intervention</strong> runs the source prompt, keeps the activation at a site (a component in a layer) and
              position, and writes it into the base run at the same place. If the prediction flips to the source&apos;s answer, that state
              carried the difference between the two prompts.
            </p>
          </Explainer>
          <Panel title="Sites" actions={
            <label className="toggle"><input type="checkbox" checked={builder.showHeads} onChange={(e) => setShowHeads(e.target.checked)} />Attention internals and heads</label>
          }>
            {dims && model ? (
              <SiteDiagram layers={dims.nLayers} reps={model.reps} selected={sel} showInternals={builder.showHeads} unavailable={unavailable} onSite={onSite} />
            ) : <p className="note">{dims ? 'Fix the JSON to edit sites here.' : 'Open a model to see its layers.'}</p>}
            {model && sel !== null && dims && (
              <RepEditor rep={model.reps[sel]!} index={sel} layers={dims.nLayers} heads={dims.nHeads} baseTokens={baseTokens} sourceTokens={sourceTokens}
                sourceCount={model.sources.length}
                onChange={(r) => update({ ...model, reps: model.reps.map((x, k) => (k === sel ? r : x)) })}
                onRemove={() => { update({ ...model, reps: model.reps.filter((_, k) => k !== sel) }); selectRep(null); }} />
            )}
            {model && model.reps.length === 0 && <p className="note">Click a site to add an intervention.</p>}
          </Panel>
          <Panel title="Run" actions={op.result && <button type="button" className="btn btn-small" onClick={() => download('intervention-result.json', JSON.stringify(op.result, null, 2), 'application/json')}>Export JSON</button>}>
            <RunBar op={op} current={doc} label="Run experiment" onRun={run} onCancel={() => cancel('intervention')} disabled={dims ? null : 'Open a model first.'} testId="intervention"
              progressText={(p) => { const e = p as ExperimentProgress; return { fraction: e.total ? e.done / e.total : null, text: e.stage === 'compile' ? 'compiling the graph' : `${e.stage} pass ${e.done + 1} of ${e.total}` }; }} />
            {op.result && <InterventionResults result={op.result} />}
          </Panel>
        </div>
      </div>
    </div>
  );
}
