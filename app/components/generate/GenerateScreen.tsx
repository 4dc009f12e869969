// The Generate view: a prompt, a steering vector (or the Interventions screen's document), where it applies, and
// the sampler; both continuations stream in side by side with each token's probability. Moving the coefficient
// slider regenerates (the vector is computed once in the worker). Presets come from the bundled model's manifest.
import { useEffect, useRef } from 'react';
import { useStore } from '../../state/store';
import { selectClassroom, selectGenerate, selectModelRef } from '../../state/experiment-slice';
import { generationInputs, selectGeneration } from '../../state/generate-slice';
import type { GenerationPreset } from '../../state/catalog';
import type { GenerateSettings } from '../../link/schema';
import type { GenerateProgress } from '../../workers/generate-op';
import { useDebounced } from '../common/hooks';
import { RunBar } from '../common/RunBar';
import { Explainer, Field, NumberInput, Panel } from '../common/ui';
import { Continuations, PlainContinuations, type ShownPrompt } from './Continuations';
import { isImportedGeneration } from '../results-import/generate-view';
import { ExportPython } from '../results-import/ExportPython';
import { SteerEditor } from './SteerEditor';
import { presetSettings } from './presets';
import '../../styles/generate.css';

const WHERE: Record<GenerateSettings['intervene_on'], string> = {
  prompt: 'the prompt only: generated tokens come from plain positions (they still attend to the steered prompt)',
  generated: 'every decoding position: the prompt\'s last token, then each new token; the rest of the prompt is untouched',
  both: 'the prompt and every decoding position',
};

export function GenerateScreen() {
  const g = useStore(selectGenerate);
  const patch = useStore((s) => s.patchGenerate);
  const op = useStore(selectGeneration);
  const run = useStore((s) => s.runGenerate);
  const cancel = useStore((s) => s.cancelGenerate);
  const classroom = useStore(selectClassroom);
  const dims = useStore((s) => s.model.summary?.dims ?? null);
  const presets = useSteeringPresets();
  useRerunOnCoefficient(g.steer.coefficient);

  const intervention = useStore((s) => s.experiment.intervention);
  const progress = op.status === 'running' && op.progress?.stage === 'token' ? op.progress : null;
  const shown = progress ? { original: progress.original, intervened: progress.intervened }
    : op.result ? { original: op.result.original.tokens, intervened: op.result.intervened.tokens } : null;
  // A result file's continuations: its own prompt (or how many tokens it had) and title, not the screen's settings.
  const imported = !progress && op.imported && isImportedGeneration(op.result) ? op.result : null;
  const prompt: ShownPrompt = imported ? imported.prompt ?? { tokens: imported.prompt_ids.length } : g.prompt;
  const label = imported ? imported.label : g.use === 'steer' ? `Steered (× ${g.steer.coefficient.toFixed(1)})` : 'Intervened';
  const patchSteer = (p: Partial<GenerateSettings['steer']>) => patch({ steer: { ...g.steer, ...p } });

  return (
    <div className="screen screen-generate">
      <div className="screen-intro">
        <h1>Generate</h1>
        <p className="lede">Steer the model while it writes: the original and the intervened continuation, token by token.</p>
      </div>
      <div className="columns columns-builder">
        <div className="stack">
          {presets.length > 0 && (
            <Panel title="Presets">
              <div className="row" data-testid="gen-presets">
                {presets.map((p) => (
                  <button key={p.name} type="button" className="btn btn-small" title={p.note} onClick={() => patch(presetSettings(g, p))}>{p.name}</button>
                ))}
              </div>
            </Panel>
          )}
          <Panel title="Prompt and intervention">
            <div className="form-grid">
              <Field label="Prompt">
                {(id) => <textarea id={id} rows={2} value={g.prompt} onChange={(e) => patch({ prompt: e.target.value })} data-testid="gen-prompt" />}
              </Field>
              <fieldset className="segmented">
                <legend>Intervene with</legend>
                <label><input type="radio" name="gen-use" checked={g.use === 'steer'} onChange={() => patch({ use: 'steer' })} />a steering vector</label>
                <label><input type="radio" name="gen-use" checked={g.use === 'intervention'} onChange={() => patch({ use: 'intervention' })} />the Interventions screen&apos;s experiment</label>
              </fieldset>
              {g.use === 'steer'
                ? <SteerEditor steer={g.steer} layers={dims?.nLayers ?? Math.max(...g.steer.layers) + 1} onChange={patchSteer} />
                : <p className="note">Its interventions apply at its own positions on this prompt (the base is replaced by the prompt above).</p>}
              <fieldset className="segmented">
                <legend>Intervene on</legend>
                {(['prompt', 'generated', 'both'] as const).map((w) => (
                  <label key={w} title={WHERE[w]}><input type="radio" name="gen-where" checked={g.intervene_on === w} onChange={() => patch({ intervene_on: w })} />{w}</label>
                ))}
              </fieldset>
              <p className="field-hint">{WHERE[g.intervene_on]}.</p>
            </div>
          </Panel>
          <Panel title="Sampling">
            <div className="grid-3">
              <Field label="New tokens">{(id) => <NumberInput id={id} value={g.max_new_tokens} min={1} max={256} onChange={(v) => patch({ max_new_tokens: clamp(v ?? 24, 1, 256) })} />}</Field>
              <Field label="Temperature" hint="0 = greedy">{(id) => <NumberInput id={id} value={g.temperature} min={0} max={10} step={0.1} onChange={(v) => patch({ temperature: clamp(v ?? 0, 0, 10) })} />}</Field>
              <Field label="Seed">{(id) => <NumberInput id={id} value={g.seed} min={0} onChange={(v) => patch({ seed: clamp(Math.round(v ?? 0), 0, 2 ** 31 - 1) })} />}</Field>
              <Field label="Top-k" hint="0 = off">{(id) => <NumberInput id={id} value={g.top_k} min={0} onChange={(v) => patch({ top_k: clamp(Math.round(v ?? 0), 0, 1_000_000) })} />}</Field>
              <Field label="Top-p" hint="1 = off">{(id) => <NumberInput id={id} value={g.top_p} min={0.01} max={1} step={0.05} onChange={(v) => patch({ top_p: clamp(v ?? 1, 0.01, 1) })} />}</Field>
              <label className="toggle"><input type="checkbox" checked={g.stop_at_eos} onChange={(e) => patch({ stop_at_eos: e.target.checked })} />stop at end of text</label>
            </div>
          </Panel>
        </div>
        <div className="stack">
          <Explainer open={classroom.explain}>
            <p>
              A <strong>steering vector</strong> is added to the model&apos;s activations while it generates — here the difference between the
              mean activations of the positive and the negative prompts, times the coefficient. Both continuations run together with the same
              sampler and seed, so every difference comes from the intervention. Coefficient 0 gives the original.
            </p>
          </Explainer>
          <Panel title="Continuations">
            <RunBar op={op} current={g.use === 'intervention' ? { g, doc: intervention } : { g }}
              label="Generate" onRun={run} onCancel={cancel} disabled={dims ? null : 'Open a model first.'} testId="generate"
              progressText={(p) => tokenProgress(p as GenerateProgress)} />
            {imported && !imported.hasProbs
              ? <PlainContinuations prompt={prompt} original={imported.original} intervened={imported.intervened} label={label} />
              : shown && <Continuations prompt={prompt} original={shown.original} intervened={shown.intervened} label={label} />}
            <ExportPython kind="generate" />
          </Panel>
        </div>
      </div>
    </div>
  );
}

function tokenProgress(p: GenerateProgress): { fraction: number | null; text: string } {
  if (p.stage === 'token') return { fraction: (p.step + 1) / p.total, text: `token ${p.step + 1} of ${p.total}` };
  return { fraction: null, text: p.stage === 'compile' ? 'compiling the graph' : 'reading the sources' };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** The loaded bundled model's generation presets, then its next-token steering presets (none for other models). */
function useSteeringPresets(): GenerationPreset[] {
  const ref = useStore(selectModelRef);
  const catalog = useStore((s) => s.catalog);
  if (ref.kind !== 'bundled') return [];
  const m = catalog?.find((c) => c.id === ref.id);
  return m ? [...m.presets.generation, ...m.presets.steering] : [];
}

/** After a first run, moving the coefficient regenerates (debounced). */
function useRerunOnCoefficient(coefficient: number): void {
  const settled = useDebounced(coefficient, 350);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    const s = useStore.getState();
    // Nothing to redo when the last run (or an imported result, whose coefficient the import set) has these settings:
    // a click on Generate right after moving the slider already ran them.
    if (s.generation.inputs === JSON.stringify(generationInputs(s))) return;
    if (s.generation.status !== 'idle' && s.model.status === 'ready') s.runGenerate();
  }, [settled]);
}
