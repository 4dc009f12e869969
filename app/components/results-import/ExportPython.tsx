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
            <option value="nnsight">nnsight (local or NDIF)</option>
          </select>
        </label>
      </div>
      {outcome && !outcome.ok && <p className="note export-refused" role="status" data-testid="export-python-refused">{capital(outcome.message)}.</p>}
      {outcome?.ok && (
        <div className="export-run small" data-testid="export-python-command">
          <p className="muted">Saved <code>{outcome.filename}</code>. Run it on a machine with PyTorch{outcome.weights ? ', after converting the bundled weights' : ''}, then import <code>result.json</code> here:</p>
          <pre className="code">{outcome.weights ? `${outcome.weights}\n` : ''}{outcome.command}</pre>
        </div>
      )}
    </div>
  );
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
