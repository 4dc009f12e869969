// The Interventions screen for a recurrent network (GRU): base and source symbol sequences, one intervention at
// (layer, step) — the state h_t, carried through the recurrence, or the output Y[t] only — a run, the time-step ×
// hidden-unit view of the change in every layer's state, and each step's output, original vs intervened.
import { useMemo } from 'react';
import { useStore } from '../../state/store';
import { selectClassroom, selectIntervention, selectModelRef } from '../../state/experiment-slice';
import { selectOp } from '../../state/run-slice';
import type { GruRunOutput } from '../../workers/gru-op';
import { RunBar } from '../common/RunBar';
import { TokenStrip } from '../common/TokenStrip';
import { Explainer, Field, Panel } from '../common/ui';
import { Heatmap } from '../heatmap/Heatmap';
import { download } from '../heatmap/export';
import {
  DEFAULT_GRU_FORM, GRU_TYPES, MAX_STEPS, MODE_TEXT, formProblems, gruDoc, lastStep, presetForm, readGruForm, stateGrids, symbolsOf,
  type GruForm, type GruMode, type TimeStepPreset,
} from './gru-doc';
import { GruStepTable } from './GruStepTable';
import '../../styles/recurrent.css';

const TYPE_LABEL: Record<(typeof GRU_TYPES)[number], string> = { VanillaIntervention: 'Interchange (from the source)', ZeroIntervention: 'Zero' };

export function GruScreen() {
  const doc = useStore(selectIntervention);
  const setDoc = useStore((s) => s.setIntervention);
  const classroom = useStore(selectClassroom);
  const summary = useStore((s) => s.model.summary);
  const op = useStore(selectOp('gru'));
  const run = useStore((s) => s.runGru);
  const cancel = useStore((s) => s.cancelOp);
  const presets = useTimeStepPresets();
  const read = useMemo(() => readGruForm(doc), [doc]);
  const form = read?.form ?? DEFAULT_GRU_FORM;
  const layers = summary?.dims.nLayers ?? 1;
  const inputSize = summary?.recurrent?.inputSize ?? 1;
  const problems = formProblems(form, inputSize, layers);
  const update = (p: Partial<GruForm>) => setDoc(gruDoc({ ...form, ...p }));
  const start = () => {
    if (!read) setDoc(gruDoc(form));
    run();
  };
  const base = symbolsOf(form.base) ?? [];
  const source = symbolsOf(form.source) ?? [];
  const sourceless = form.type !== 'VanillaIntervention';

  return (
    <div className="screen screen-builder">
      <div className="screen-intro">
        <h1>Interventions: time steps</h1>
        <p className="lede">{summary?.name ?? 'This network'} is a recurrent network: intervene on a layer&apos;s state at one time step and follow the change through the later steps.</p>
      </div>
      <div className="columns columns-builder">
        <div className="stack">
          {presets.length > 0 && (
            <Panel title="Presets">
              <div className="stack" data-testid="gru-presets">
                {presets.map((p) => (
                  <div key={p.name}>
                    <button type="button" className="btn btn-small" onClick={() => setDoc(gruDoc(presetForm(p)))}>{p.name}</button>
                    {p.note && <p className="field-hint">{p.note}</p>}
                  </div>
                ))}
              </div>
            </Panel>
          )}
          <Panel title="Inputs">
            {!read && <p className="note" data-testid="gru-not-gru-doc">The current experiment is not a time-step experiment (it was written for a transformer): the form shows a starting point; any change or a run replaces it.</p>}
            {read && read.interventions > 1 && <p className="note">This document has {read.interventions} interventions; the form shows the first, and editing here keeps only that one.</p>}
            <div className="form-grid">
              <Field label="Base sequence" hint={`Symbols 0–${inputSize - 1}, separated by spaces. Click a step to write there.`}>
                {(id) => <input id={id} value={form.base} onChange={(e) => update({ base: e.target.value })} data-testid="gru-base" />}
              </Field>
              {base.length > 0 && <TokenStrip label="Base steps" tokens={base.map(String)} marks={{ [form.baseT]: 'selected' }}
                onToggle={(t) => update({ baseT: Math.min(t, lastStep(base.length, form.mode)) })} testId="gru-base-steps" />}
              {!sourceless && (
                <>
                  <Field label="Source sequence" hint="Click a step to read from there.">
                    {(id) => <input id={id} value={form.source} onChange={(e) => update({ source: e.target.value })} data-testid="gru-source" />}
                  </Field>
                  {source.length > 0 && <TokenStrip label="Source steps" tokens={source.map(String)} marks={{ [form.sourceT]: 'selected' }} onToggle={(t) => update({ sourceT: t })} testId="gru-source-steps" />}
                </>
              )}
            </div>
          </Panel>
          <Panel title="Intervention">
            <div className="form-grid">
              <div className="grid-3">
                <Field label="Layer">
                  {(id) => (
                    <select id={id} value={form.layer} onChange={(e) => update({ layer: Number(e.target.value) })} data-testid="gru-layer">
                      {Array.from({ length: layers }, (_, l) => <option key={l} value={l}>{l}</option>)}
                    </select>
                  )}
                </Field>
                {!sourceless && <Field label="Source step">{(id) => <StepSelect id={id} value={form.sourceT} last={source.length - 1} onChange={(t) => update({ sourceT: t })} testId="gru-source-t" />}</Field>}
                <Field label="Base step">{(id) => <StepSelect id={id} value={form.baseT} last={lastStep(base.length, form.mode)} onChange={(t) => update({ baseT: t })} testId="gru-base-t" />}</Field>
              </div>
              <fieldset className="segmented" data-testid="gru-mode">
                <legend>What is written</legend>
                {(Object.keys(MODE_TEXT) as GruMode[]).map((m) => (
                  <label key={m}><input type="radio" name="gru-mode" checked={form.mode === m} onChange={() => update({ mode: m })} />{MODE_TEXT[m].label}</label>
                ))}
              </fieldset>
              <p className="field-hint" data-testid="gru-mode-explain">{MODE_TEXT[form.mode].explain}</p>
              <Field label="Intervention">
                {(id) => (
                  <select id={id} value={form.type} onChange={(e) => update({ type: e.target.value as GruForm['type'] })}>
                    {GRU_TYPES.map((t) => <option key={t} value={t}>{TYPE_LABEL[t]}</option>)}
                  </select>
                )}
              </Field>
            </div>
          </Panel>
          <Panel title="Experiment JSON">
            <pre className="mono small json-preview" data-testid="gru-json">{JSON.stringify(doc, null, 1)}</pre>
            <p className="field-hint">Run it outside the browser with <code>npx patchbay run exp.json</code> (add <code>&quot;model&quot;: &quot;{summary?.name ?? 'gru-recall'}&quot;</code>).</p>
          </Panel>
        </div>
        <div className="stack">
          <Explainer open={classroom.explain}>
            <p>
              A recurrent network reads one symbol per step and keeps a <strong>state</strong> per layer. Writing the source&apos;s state
              at step t into the base run changes what the network remembers, so every later output can change; writing only the
              layer&apos;s <strong>output</strong> at t changes what the next layer sees at that one step, and the memory goes on as before.
            </p>
          </Explainer>
          <Panel title="Run" actions={op.result && <button type="button" className="btn btn-small" onClick={() => download('gru-result.json', JSON.stringify(op.result, null, 2), 'application/json')}>Export JSON</button>}>
            <RunBar op={op} current={doc} label="Run experiment" onRun={start} onCancel={() => cancel('gru')} testId="gru"
              disabled={summary ? problems[0] ?? null : 'Open a model first.'} />
            {op.result && <GruResults result={op.result} inputs={op.inputs} />}
          </Panel>
        </div>
      </div>
    </div>
  );
}

function StepSelect({ id, value, last, onChange, testId }: { id: string; value: number; last: number; onChange: (t: number) => void; testId: string }) {
  const n = Math.max(last + 1, value + 1, 1);
  return (
    <select id={id} value={value} onChange={(e) => onChange(Number(e.target.value))} data-testid={testId}>
      {Array.from({ length: n }, (_, t) => <option key={t} value={t} disabled={t > last}>t = {t}</option>)}
    </select>
  );
}

function GruResults({ result, inputs }: { result: GruRunOutput; inputs: string | null }) {
  // The document the result was computed from (the form may have changed since).
  const ran = useMemo(() => readGruForm(JSON.parse(inputs ?? '{}') as Record<string, unknown>)?.form ?? null, [inputs]);
  const base = useMemo(() => symbolsOf(ran?.base ?? '') ?? [], [ran]);
  const tooLong = result.table.length > MAX_STEPS;
  const grids = useMemo(() => (tooLong ? [] : stateGrids(result.states, base, { layer: ran?.layer ?? -1, t: ran?.baseT ?? -1 })), [result, base, ran, tooLong]);
  const changed = result.table.filter((r) => r.original.id !== r.intervened.id).map((r) => r.t);
  return (
    <div className="stack">
      <p className="small" data-testid="gru-summary">
        {changed.length === 0 ? 'No output changed.'
          : `The output changed at ${changed.length === 1 ? 'step' : 'steps'} ${changed.join(', ')} of ${result.table.length}.`}
      </p>
      <GruStepTable rows={result.table} base={base} written={ran?.baseT ?? null} />
      <h3>State change per time step and hidden unit</h3>
      <p className="field-hint">Each layer&apos;s state as the layer above (or the head) reads it, intervened − original; the written step is starred.</p>
      {tooLong && <p className="note">{result.table.length} steps: the panel draws up to {MAX_STEPS}; Export JSON has every state.</p>}
      <div className="stack" data-testid="gru-heatmaps">
        {grids.map((g, k) => <Heatmap key={k} grid={g} filename={`gru-state-layer${result.states[k]!.layer}`} testId={`gru-heatmap-${result.states[k]!.layer}`} />)}
      </div>
    </div>
  );
}

/** The loaded bundled model's time-step presets. */
function useTimeStepPresets(): TimeStepPreset[] {
  const ref = useStore(selectModelRef);
  const catalog = useStore((s) => s.catalog);
  if (ref.kind !== 'bundled') return [];
  return catalog?.find((c) => c.id === ref.id)?.presets.time_step ?? [];
}
