// "Export as Python": the current screen's experiment as a pyvene or nnsight script that writes Patchbay's own result
// JSON (engine/export/), the command line to run it, and for a bundled model how to make its PyTorch weights first.
import { useState } from 'react';
import type { ExportTarget } from '../../../engine/export/export-script';
import { useStore } from '../../state/store';
import { selectExperiment } from '../../state/experiment-slice';
import { download } from '../heatmap/export';
import { exportFor, type ExportKind, type ExportOutcome } from './export-doc';
import '../../styles/results-import.css';

export function ExportPython({ kind, disabled }: { kind: ExportKind; disabled?: boolean }) {
  const experiment = useStore(selectExperiment);
  const [target, setTarget] = useState<ExportTarget>('pyvene');
  const [outcome, setOutcome] = useState<ExportOutcome | null>(null);
  const save = () => {
    const o = exportFor(kind, experiment, target);
    setOutcome(o);
    if (o.ok) download(o.filename, o.script, 'text/x-python');
  };
  return (
    <div className="export-python" data-testid="export-python-panel">
      <div className="row">
        <button type="button" className="btn btn-small" disabled={disabled} data-testid="export-python" onClick={save}>Export as Python</button>
        <label className="small muted export-target">
          for
          <select value={target} aria-label="Python engine" data-testid="export-target"
            onChange={(e) => { setTarget(e.target.value as ExportTarget); setOutcome(null); }}>
            <option value="pyvene">pyvene</option>
            <option value="nnsight">nnsight</option>
          </select>
        </label>
      </div>
      {outcome && !outcome.ok && <p className="note export-refused" role="status" data-testid="export-python-refused">{capital(outcome.message)}.</p>}
      {outcome?.ok && (
        <div className="export-run small" data-testid="export-python-command">
          <p className="muted">Saved <code>{outcome.filename}</code>. Run it on a machine with PyTorch{outcome.weights ? ', after converting the bundled weights' : ''}, then import <code>result.json</code> here:</p>
          <pre className="code" data-testid="export-python-lines">{commands(outcome)}</pre>
          <button type="button" className="btn btn-small" onClick={() => void navigator.clipboard?.writeText(commands(outcome))}>Copy commands</button>
          {outcome.remote && <p className="muted">Add <code>--remote</code> to run it on NDIF, with your key in <code>NDIF_API_KEY</code>.</p>}
        </div>
      )}
    </div>
  );
}

function commands(o: { weights: string | null; command: string }): string {
  return o.weights ? `${o.weights}\n${o.command}` : o.command;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
