// The Patching sweep screen: base and source prompts, a component; the source's activation is patched into the
// base at every (layer, position) and the heatmap shows p(answer) or the logit difference for each cell.
import { useMemo } from 'react';
import { useStore } from '../../state/store';
import { selectClassroom, selectSweep } from '../../state/experiment-slice';
import { selectOp } from '../../state/run-slice';
import { usePrediction } from '../common/hooks';
import { RunBar } from '../common/RunBar';
import { TokenStrip } from '../common/TokenStrip';
import { ErrorNote, Explainer, Field, Panel, formatProb, tokenLabel } from '../common/ui';
import { Heatmap } from '../heatmap/Heatmap';
import type { Grid } from '../heatmap/draw-heatmap';
import { download, slug } from '../heatmap/export';
import type { SweepProgress, SweepResult } from '../../workers/sweep';
import { ExportPython } from '../results-import/ExportPython';

export const SWEEP_COMPONENTS = ['block_output', 'block_input', 'attention_output', 'mlp_output', 'mlp_input', 'attention_input', 'attention_value_output'];

export function sweepGrid(r: SweepResult): Grid {
  const label = r.metric === 'prob' ? `p(${r.answer.text.trim()})` : `logit(${r.answer.text.trim()}) − logit(${r.baseAnswer.text.trim()})`;
  const kind = r.metric === 'logit_diff' ? 'diff' : r.component.startsWith('mlp') ? 'mlp' : r.component.startsWith('attention') ? 'attn' : 'resid';
  return {
    title: `Patching ${r.component} from source into base`, rows: r.tokens, columns: Array.from({ length: r.layers }, (_, i) => String(i)),
    values: r.values, kind, valueLabel: label, rowLabel: 'position', columnLabel: 'layer',
    domain: r.metric === 'prob' ? [Math.min(r.low, ...finite(r.values)), Math.max(r.high, ...finite(r.values))] : undefined,
  };
}

/** The cells with a value (a cell an imported file left out is NaN, drawn empty). */
function finite(values: number[][]): number[] {
  return values.flat().filter(Number.isFinite);
}

export function SweepScreen() {
  const sweep = useStore(selectSweep);
  const classroom = useStore(selectClassroom);
  const patch = useStore((s) => s.patchSweep);
  const op = useStore(selectOp('sweep'));
  const run = useStore((s) => s.runSweep);
  const cancel = useStore((s) => s.cancelOp);
  const ready = useStore((s) => s.model.status === 'ready');
  const base = usePrediction(sweep.base);
  const source = usePrediction(sweep.source);
  const nb = base?.result?.tokens.length ?? 0;
  const ns = source?.result?.tokens.length ?? 0;
  const mismatch = nb > 0 && ns > 0 && nb !== ns;
  const disabled = !ready ? 'Open a model first.' : mismatch ? `Base has ${nb} tokens and source ${ns}: make them the same length.` : null;
  const r = op.result;
  const grid = useMemo(() => (r ? sweepGrid(r) : null), [r]);
  return (
    <div className="screen screen-sweep">
      <div className="screen-intro">
        <h1>Patching sweep</h1>
        <p className="lede">Run the source prompt, then patch its activation into the base run at every layer and position, one cell at a time.</p>
      </div>
      <div className="columns columns-work">
        <div className="stack">
          <Panel title="Inputs">
            <div className="form-grid">
              <Field label="Base prompt" hint="The run that is patched.">
                {(id) => <textarea id={id} rows={2} value={sweep.base} onChange={(e) => patch({ base: e.target.value })} data-testid="sweep-base" />}
              </Field>
              {base?.result && <TokenStrip label="Base tokens" tokens={base.result.tokens} />}
              <Field label="Source prompt" hint="Where the patched activations come from.">
                {(id) => <textarea id={id} rows={2} value={sweep.source} onChange={(e) => patch({ source: e.target.value })} data-testid="sweep-source" />}
              </Field>
              {source?.result && <TokenStrip label="Source tokens" tokens={source.result.tokens} />}
              <ErrorNote error={base?.error ?? source?.error} title="Could not read a prompt" />
              <div className="grid-2">
                <Field label="Component">
                  {(id) => (
                    <select id={id} value={sweep.component} onChange={(e) => patch({ component: e.target.value })} data-testid="sweep-component">
                      {SWEEP_COMPONENTS.map((c) => <option key={c} value={c}>{c}</option>)}
                    </select>
                  )}
                </Field>
                <Field label="Metric">
                  {(id) => (
                    <select id={id} value={sweep.metric} onChange={(e) => patch({ metric: e.target.value as 'prob' | 'logit_diff' })}>
                      <option value="prob">p(answer)</option>
                      <option value="logit_diff">logit difference</option>
                    </select>
                  )}
                </Field>
              </div>
              <Field label="Answer token" hint={<>Empty: the source&apos;s top-1{source?.result?.top[0] ? <> (<code>{tokenLabel(source.result.top[0].token)}</code>)</> : null}.</>}>
                {(id) => <input id={id} value={sweep.answer ?? ''} placeholder="source top-1" onChange={(e) => patch({ answer: e.target.value === '' ? null : e.target.value })} />}
              </Field>
            </div>
          </Panel>
          <Panel>
            <RunBar op={op} current={sweep} label="Run sweep" onRun={run} onCancel={() => cancel('sweep')} disabled={disabled} testId="sweep"
              progressText={(p) => { const s = p as SweepProgress; return { fraction: s.done / s.total, text: `${s.done} of ${s.total} cells` }; }} />
            <ExportPython kind="sweep" />
          </Panel>
        </div>
        <div className="stack">
          <Explainer open={classroom.explain}>
            <p>
              Activation patching asks: <em>which hidden state, if it came from the source run, makes the base run answer like the source?</em>{' '}
              Each cell replaces one component&apos;s output at one <strong>position</strong> and <strong>layer</strong> with its value from the source run.
            </p>
            <p>With the logit difference, positive cells move the prediction towards the source&apos;s answer and away from the base&apos;s.</p>
          </Explainer>
          {r && grid ? (
            <Panel title="Results" actions={<button type="button" className="btn btn-small" onClick={() => download(`${slug(`sweep ${sweep.base}`)}.json`, JSON.stringify(r, null, 2), 'application/json')}>Export JSON</button>}>
              <div className="stat-row" data-testid="sweep-stats">
                <div className="stat"><span className="stat-label">Answer</span><span className="stat-value"><code>{tokenLabel(r.answer.text)}</code></span></div>
                <div className="stat"><span className="stat-label">Base answer</span><span className="stat-value"><code>{tokenLabel(r.baseAnswer.text)}</code></span></div>
                <div className="stat"><span className="stat-label">Unpatched</span><span className="stat-value">{r.metric === 'prob' ? formatProb(r.low) : r.low.toFixed(3)}</span></div>
                <div className="stat"><span className="stat-label">Source run</span><span className="stat-value">{r.metric === 'prob' ? formatProb(r.high) : r.high.toFixed(3)}</span></div>
              </div>
              <Heatmap grid={grid} filename={slug(`sweep ${r.component}`)} testId="heatmap-sweep" />
            </Panel>
          ) : (
            <div className="empty">{op.status === 'running' ? 'Sweeping…' : 'Run the sweep to see which states carry the difference.'}</div>
          )}
        </div>
      </div>
    </div>
  );
}
