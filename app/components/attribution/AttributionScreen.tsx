// The attribution-patching screen: the gradient estimate of every (layer, position) patch effect (one clean, one
// corrupted forward and one backward pass) beside the exact patching sweep, a scatter of estimate vs exact with their
// correlation, and "verify top cells", which runs the largest estimates exactly and marks them on the map.
import { useMemo, useState } from 'react';
import { useStore } from '../../state/store';
import { selectAttributionSettings, selectClassroom } from '../../state/experiment-slice';
import { selectAttribution, selectVerify, type VerifiedCell } from '../../state/training-slice';
import { usePrediction } from '../common/hooks';
import { RunBar } from '../common/RunBar';
import { TokenStrip } from '../common/TokenStrip';
import { ErrorNote, Explainer, Field, Panel, tokenLabel } from '../common/ui';
import { Heatmap } from '../heatmap/Heatmap';
import type { Grid } from '../heatmap/draw-heatmap';
import { download, slug } from '../heatmap/export';
import type { AttributionOutput, AttributionProgress } from '../../workers/attribution-op';
import { Chart } from '../probe/Chart';
import { createScatter, type ScatterSpec } from '../probe/draw-charts';
import '../../styles/training.css';

const COMPONENTS = ['block_output', 'block_input', 'attention_output', 'mlp_output', 'mlp_input', 'attention_input'];

/** values[layer][position] → a positions × layers grid (as the sweep draws), verified cells marked. */
export function attributionGrid(r: AttributionOutput, which: 'estimate' | 'exact', verified: VerifiedCell[] = []): Grid {
  const v = which === 'estimate' ? r.estimate : r.exact!;
  const marked = r.tokens.map((_, p) => v.map((__, l) => verified.some((c) => c.layer === l && c.position === p)));
  return {
    title: which === 'estimate' ? 'Attribution estimate (gradient)' : 'Exact patching', kind: 'diff',
    valueLabel: `Δ log p(${r.answer.text.trim()})`, rows: r.tokens, columns: v.map((_, l) => String(l)), rowLabel: 'position', columnLabel: 'layer',
    values: r.tokens.map((_, p) => v.map((row) => row[p]!)), ...(which === 'estimate' && verified.length ? { marked } : {}),
  };
}

function progressText(p: unknown): { fraction: number | null; text: string } {
  const phase = (p as AttributionProgress).phase;
  return { fraction: null, text: { collect: 'clean and corrupted runs…', gradient: 'backward pass…', exact: 'exact sweep…', done: 'done' }[phase] };
}

export function AttributionScreen() {
  const s = useStore(selectAttributionSettings);
  const classroom = useStore(selectClassroom);
  const patch = useStore((st) => st.patchAttribution);
  const op = useStore(selectAttribution);
  const verify = useStore(selectVerify);
  const run = useStore((st) => st.runAttribution);
  const cancel = useStore((st) => st.cancelAttribution);
  const verifyTop = useStore((st) => st.verifyTop);
  const model = useStore((st) => st.model);
  const [k, setK] = useState(5);
  const clean = usePrediction(s.clean);
  const corrupt = usePrediction(s.corrupt);
  const nc = clean?.result?.tokens.length ?? 0;
  const nk = corrupt?.result?.tokens.length ?? 0;
  const disabled = model.status !== 'ready' ? 'Open a model first.' : nc && nk && nc !== nk ? `Clean has ${nc} tokens and corrupted ${nk}: make them the same length.` : null;
  const r = op.result && op.model === model.summary?.name ? op.result : null;
  const checked = verify.status === 'done' && verify.inputs === op.inputs ? verify.cells : [];
  const grids = useMemo(() => (r ? { estimate: attributionGrid(r, 'estimate', checked), exact: attributionGrid(r, 'exact') } : null), [r, checked]);
  const scatter = useMemo((): ScatterSpec | null => (r?.exact ? {
    title: 'Estimate vs exact, every cell', xLabel: 'exact', yLabel: 'estimate',
    points: r.estimate.flatMap((row, l) => row.map((e, p) => ({ x: r.exact![l]![p]!, y: e, label: `layer ${l}, ${tokenLabel(r.tokens[p])}`, marked: checked.some((c) => c.layer === l && c.position === p) }))),
  } : null), [r, checked]);
  return (
    <div className="screen screen-attribution">
      <div className="screen-intro">
        <h1>Attribution patching</h1>
        <p className="lede">Estimate every activation patch at once from gradients, then see how well the estimate agrees with patching each cell for real.</p>
      </div>
      <div className="columns columns-work">
        <div className="stack">
          <Panel title="Inputs">
            <div className="form-grid">
              <Field label="Clean prompt" hint="Its activations are patched in.">
                {(id) => <textarea id={id} rows={2} value={s.clean} onChange={(e) => patch({ clean: e.target.value.slice(0, 2000) })} data-testid="attr-clean" />}
              </Field>
              {clean?.result && <TokenStrip label="Clean tokens" tokens={clean.result.tokens} />}
              <Field label="Corrupted prompt" hint="The run that is patched, one cell at a time.">
                {(id) => <textarea id={id} rows={2} value={s.corrupt} onChange={(e) => patch({ corrupt: e.target.value.slice(0, 2000) })} data-testid="attr-corrupt" />}
              </Field>
              {corrupt?.result && <TokenStrip label="Corrupted tokens" tokens={corrupt.result.tokens} />}
              <ErrorNote error={clean?.error ?? corrupt?.error} title="Could not read a prompt" />
              <div className="grid-2">
                <Field label="Answer token" hint="Empty: the clean top-1.">
                  {(id) => <input id={id} value={s.answer ?? ''} onChange={(e) => patch({ answer: e.target.value === '' ? null : e.target.value.slice(0, 200) })} />}
                </Field>
                <Field label="Component">
                  {(id) => (
                    <select id={id} value={s.component} onChange={(e) => patch({ component: e.target.value })}>
                      {COMPONENTS.map((c) => <option key={c} value={c}>{c}</option>)}
                    </select>
                  )}
                </Field>
              </div>
            </div>
          </Panel>
          <Panel>
            <RunBar op={op} current={s} label="Estimate and sweep" onRun={run} onCancel={cancel} disabled={disabled} testId="attr" progressText={progressText} />
          </Panel>
        </div>
        <div className="stack">
          <Explainer open={classroom.explain}>
            <p>
              Attribution patching (Nanda; Syed et al.) replaces a patch by its first-order Taylor estimate,
              (a<sub>clean</sub> − a<sub>corrupt</sub>) · ∂ log p / ∂a at the corrupted run: one backward pass instead of one run per cell.
              It finds the same cells as exact patching where the effect is roughly linear, and misjudges cells where a patch saturates.
            </p>
          </Explainer>
          {r && grids ? (
            <Panel title="Results" actions={<button type="button" className="btn btn-small" onClick={() => download(`${slug(`attribution ${s.corrupt}`)}.json`, JSON.stringify(r, null, 2), 'application/json')}>Export JSON</button>}>
              <div className="stat-row" data-testid="attr-stats">
                <div className="stat"><span className="stat-label">Correlation</span><span className="stat-value" data-testid="attr-correlation">{r.correlation?.toFixed(3) ?? '—'}</span></div>
                <div className="stat"><span className="stat-label">Answer</span><span className="stat-value"><code>{tokenLabel(r.answer.text)}</code></span></div>
                <div className="stat"><span className="stat-label">log p clean / corrupted</span><span className="stat-value">{r.clean_logprob.toFixed(2)} / {r.corrupt_logprob.toFixed(2)}</span></div>
                <div className="stat"><span className="stat-label">Estimate / exact</span><span className="stat-value">{r.seconds.estimate.toFixed(1)} s / {r.seconds.exact?.toFixed(1) ?? '—'} s</span></div>
              </div>
              <div className="heatmaps" data-testid="attr-heatmaps">
                <Heatmap grid={grids.estimate} filename={slug('attribution estimate')} testId="heatmap-estimate" />
                <Heatmap grid={grids.exact} filename={slug('attribution exact')} testId="heatmap-exact" />
              </div>
              <div className="training-row">
                {scatter && <Chart spec={scatter} draw={createScatter} testId="attr-scatter" />}
                <VerifyPanel k={k} setK={setK} onVerify={() => verifyTop(k)} running={verify.status === 'running'} cells={checked} tokens={r.tokens} error={verify.status === 'error' ? verify.error : null} />
              </div>
            </Panel>
          ) : (
            <div className="empty">{op.status === 'running' ? 'Estimating…' : 'Run to compare the gradient estimate with exact patching.'}</div>
          )}
        </div>
      </div>
    </div>
  );
}

function VerifyPanel({ k, setK, onVerify, running, cells, tokens, error }: {
  k: number; setK: (k: number) => void; onVerify: () => void; running: boolean; cells: VerifiedCell[]; tokens: string[]; error: Parameters<typeof ErrorNote>[0]['error'];
}) {
  return (
    <div className="verify" data-testid="attr-verify">
      <div className="row">
        <button type="button" className="btn btn-small" onClick={onVerify} disabled={running} data-testid="attr-verify-run">{running ? 'Verifying…' : 'Verify top cells'}</button>
        <label className="row small">top
          <select value={k} onChange={(e) => setK(Number(e.target.value))} aria-label="How many cells to verify">
            {[3, 5, 10, 20].map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
      </div>
      <p className="small muted">Runs the cells with the largest |estimate| exactly (one batched pass) and outlines them on the estimate map.</p>
      <ErrorNote error={error} title="Verification failed" />
      {cells.length > 0 && (
        <table className="data" data-testid="attr-verified">
          <thead><tr><th>layer</th><th>token</th><th>estimate</th><th>exact</th></tr></thead>
          <tbody>
            {cells.map((c) => (
              <tr key={`${c.layer}:${c.position}`}><td>{c.layer}</td><td><code>{tokenLabel(tokens[c.position])}</code></td><td>{c.estimate.toFixed(2)}</td><td>{c.exact.toFixed(2)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
