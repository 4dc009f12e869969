// The Run button of a screen, which becomes a progress bar with Cancel while the run is going, and the run's inline
// error underneath. Progress is "done of total" from the worker, when it reports it.
import { useElapsed } from './hooks';
import { ErrorNote, ProgressBar } from './ui';
import type { OpState } from '../../state/run-slice';

export function RunBar({ op, label, onRun, onCancel, disabled, progressText, testId, current }: {
  op: OpState<unknown, unknown>; label: string; onRun: () => void; onCancel: () => void; disabled?: string | null;
  progressText?: (p: unknown) => { fraction: number | null; text: string }; testId?: string;
  /** The inputs as they are now: a result computed from other inputs is marked as out of date. */
  current?: unknown;
}) {
  const stale = op.status === 'done' && current !== undefined && op.inputs !== null && JSON.stringify(current) !== op.inputs;
  const running = op.status === 'running';
  const elapsed = useElapsed(running);
  const p = running && op.progress && progressText ? progressText(op.progress) : { fraction: null, text: 'starting…' };
  return (
    <div className="run-bar" data-testid={testId}>
      {running ? (
        <div className="run-progress">
          <div className="row between small"><span>{p.text}</span><span className="muted">{elapsed.toFixed(1)} s</span></div>
          <div className="row">
            <div style={{ flex: 1 }}><ProgressBar value={p.fraction} label={`${label} progress`} /></div>
            <button type="button" className="btn btn-small" onClick={onCancel}>Cancel</button>
          </div>
        </div>
      ) : (
        <div className="row">
          <button type="button" className="btn btn-primary" onClick={onRun} disabled={!!disabled} data-testid={testId ? `${testId}-run` : undefined}>{label}</button>
          {disabled && <span className="small muted">{disabled}</span>}
          {op.status === 'done' && op.seconds !== null && <span className="small muted">done in {op.seconds.toFixed(1)} s</span>}
          {stale && <span className="badge badge-warn" data-testid={testId ? `${testId}-stale` : undefined}>settings changed since this result</span>}
        </div>
      )}
      <ErrorNote error={op.status === 'error' ? op.error : null} title="The run failed" />
    </div>
  );
}
