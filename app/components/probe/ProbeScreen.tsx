// The "Probe vs DAS" screen (the pyvene paper's second case study): counterfactual pairs from a template and two
// name lists, a 1-D DAS subspace trained at every (layer, position) beside a linear probe there; IIA and probe
// accuracy side by side, the probe's shuffled-label control, the live loss curve, progress and Cancel.
import { useMemo, useState } from 'react';
import { useStore } from '../../state/store';
import { selectClassroom, selectProbe } from '../../state/experiment-slice';
import { selectDas } from '../../state/training-slice';
import { RunBar } from '../common/RunBar';
import { Explainer, Panel, tokenLabel } from '../common/ui';
import { Heatmap } from '../heatmap/Heatmap';
import { download, slug } from '../heatmap/export';
import type { DasOpProgress } from '../../workers/das-op';
import { Chart } from './Chart';
import { createLineChart } from './draw-charts';
import { dasGrid } from './probe-grids';
import { ProbeSettingsForm } from './ProbeSettingsForm';
import { TrainedSteer } from './TrainedSteer';
import '../../styles/training.css';

function progressText(p: unknown): { fraction: number | null; text: string } {
  const d = p as DasOpProgress;
  if (d.phase === 'train' && d.train) return { fraction: d.train.step / d.train.steps, text: `training step ${d.train.step} of ${d.train.steps}` };
  const text = { pairs: 'building pairs…', train: 'collecting source activations and building the backward graph…', evaluate: 'measuring IIA on held-out pairs…', probe: 'training the probes…' }[d.phase];
  return { fraction: null, text };
}

export function ProbeScreen() {
  const settings = useStore(selectProbe);
  const classroom = useStore(selectClassroom);
  const das = useStore(selectDas);
  const run = useStore((s) => s.runDas);
  const cancel = useStore((s) => s.cancelDas);
  const model = useStore((s) => s.model);
  const [showControl, setShowControl] = useState(true);
  const ready = model.status === 'ready';
  const r = das.result && das.model === model.summary?.name ? das.result : null;
  const grids = useMemo(() => (r ? { iia: dasGrid(r, 'iia'), probe: dasGrid(r, 'probe_accuracy'), control: dasGrid(r, 'probe_control') } : null), [r]);
  const curve = useMemo(() => ({ values: das.curve, title: 'Training loss (mean over cells)', xLabel: 'step', yLabel: 'cross-entropy' }), [das.curve]);
  const disabled = !ready ? 'Open a model first.' : null;
  return (
    <div className="screen screen-probe">
      <div className="screen-intro">
        <h1>Probe vs DAS</h1>
        <p className="lede">Where can a linear probe read gender, and where does the model actually use it? A 1-D subspace trained by DAS at each layer and position, beside a probe at the same place.</p>
      </div>
      <div className="columns columns-work">
        <div className="stack">
          <ProbeSettingsForm />
          <Panel>
            <RunBar op={das} current={settings} label="Train and probe" onRun={run} onCancel={cancel} disabled={disabled} testId="das" progressText={progressText} />
          </Panel>
          {das.curve.length > 0 && (
            <Panel title="Loss curve">
              <Chart spec={curve} draw={createLineChart} testId="das-loss" />
            </Panel>
          )}
        </div>
        <div className="stack">
          <Explainer open={classroom.explain}>
            <p>
              <strong>Probe accuracy</strong> says the information can be <em>read</em> from an activation. <strong>IIA</strong> (interchange
              intervention accuracy) says the model <em>uses</em> it: swap one trained direction in from a run with a name of the other gender, and
              count how often the prediction flips to the other pronoun.
            </p>
            <p>
              The pyvene paper&apos;s point: probes find gender almost everywhere, DAS only at a few places — probe accuracy is not causal relevance.
              The control map is the same probe trained on shuffled labels: what a probe reaches without the information.
            </p>
          </Explainer>
          {r && grids ? (
            <Panel title="Results" actions={
              <>
                <label className="row small"><input type="checkbox" checked={showControl} onChange={(e) => setShowControl(e.target.checked)} data-testid="das-show-control" /> probe control</label>
                <button type="button" className="btn btn-small" onClick={() => download(`${slug(`das ${settings.template}`)}.json`, JSON.stringify({ ...r, trained: undefined }, null, 2), 'application/json')}>Export JSON</button>
              </>
            }>
              <div className="stat-row" data-testid="das-stats">
                <div className="stat"><span className="stat-label">Pairs</span><span className="stat-value">{r.train_pairs} train · {r.test_pairs} held out</span></div>
                <div className="stat"><span className="stat-label">Of all pairs</span><span className="stat-value">{r.pairs_available}</span></div>
                <div className="stat"><span className="stat-label">Per step</span><span className="stat-value">{(r.seconds_per_step * 1000).toFixed(0)} ms</span></div>
                <div className="stat"><span className="stat-label">A pair: base ← source, target</span>
                  <span className="stat-value small"><code>{r.example.base}</code> ← <code>{r.example.source}</code>, <code>{tokenLabel(r.example.source_label)}</code></span></div>
              </div>
              <div className="heatmaps-pair" data-testid="das-heatmaps">
                <Heatmap grid={grids.iia} filename={slug('das iia')} testId="heatmap-iia" />
                <Heatmap grid={grids.probe} filename={slug('probe accuracy')} testId="heatmap-probe" />
                {showControl && <Heatmap grid={grids.control} filename={slug('probe control')} testId="heatmap-control" />}
              </div>
              <TrainedSteer result={r} />
              <p className="small muted">Columns are layers, rows the last tokens of the prompt (the name, then the template&apos;s words). Chance for the probes is the share of the commoner label among held-out pairs.</p>
            </Panel>
          ) : (
            <div className="empty">{das.status === 'running' ? 'Training… the maps appear when every cell is trained, evaluated and probed.' : 'Train to see where gender can be read, and where it is used.'}</div>
          )}
        </div>
      </div>
    </div>
  );
}
