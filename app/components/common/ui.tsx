// Small shared pieces of the interface: labelled fields, a progress bar, inline errors, section panels, and the
// "what am I looking at" explainer. Plain elements with classes from styles.css; every control has a label.
import { useId, type ReactNode } from 'react';
import type { WorkerError } from '../../workers/protocol';

export function Panel({ title, children, actions, className }: { title?: ReactNode; children: ReactNode; actions?: ReactNode; className?: string }) {
  return (
    <section className={`panel ${className ?? ''}`}>
      {(title || actions) && (
        <header className="panel-head">
          {title && <h2>{title}</h2>}
          {actions && <div className="panel-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

export function Field({ label, hint, children, inline }: { label: string; hint?: ReactNode; inline?: boolean; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className={inline ? 'field field-inline' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {hint && <div className="field-hint">{hint}</div>}
    </div>
  );
}

export function NumberInput({ id, value, onChange, min, max, step, placeholder, disabled }: {
  id: string; value: number | null; onChange: (v: number | null) => void; min?: number; max?: number; step?: number; placeholder?: string; disabled?: boolean;
}) {
  return (
    <input id={id} type="number" inputMode="decimal" value={value ?? ''} min={min} max={max} step={step ?? 1} placeholder={placeholder} disabled={disabled}
      onChange={(e) => {
        const raw = e.target.value;
        if (raw === '') return onChange(null);
        const v = Number(raw);
        if (Number.isFinite(v)) onChange(v);
      }} />
  );
}

export function ProgressBar({ value, label }: { value: number | null; label: string }) {
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100}
      aria-valuenow={value === null ? undefined : Math.round(value * 100)}>
      <div className={value === null ? 'progress-fill indeterminate' : 'progress-fill'} style={value === null ? undefined : { width: `${Math.max(1, value * 100)}%` }} />
    </div>
  );
}

export function ErrorNote({ error, title }: { error: WorkerError | string | null | undefined; title?: string }) {
  if (!error) return null;
  const e = typeof error === 'string' ? { code: '', message: error } : error;
  if (e.code === 'ABORTED') return <p className="note" role="status" data-testid="cancelled">Cancelled{e.message && e.message !== 'cancelled' ? `: ${e.message}` : ''}.</p>;
  return (
    <div className="error-note" role="alert">
      <strong>{title ?? 'Something went wrong'}</strong>
      <span>{e.path ? <code>{e.path}</code> : null} {e.message}</span>
      {e.code && <span className="error-code">{e.code}</span>}
    </div>
  );
}

export function Explainer({ title, children, open }: { title?: string; children: ReactNode; open: boolean }) {
  if (!open) return null;
  return (
    <aside className="explainer" aria-label="What am I looking at?">
      <h3>{title ?? 'What am I looking at?'}</h3>
      {children}
    </aside>
  );
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function formatProb(p: number): string {
  if (p >= 0.9995) return '1.000';
  if (p >= 0.001) return p.toFixed(3);
  return p === 0 ? '0' : p.toExponential(1);
}

/** A probability as a small bar and its value, for tables. */
export function ProbBar({ p }: { p: number }) {
  return (
    <span className="pbar-wrap">
      <span className="pbar" aria-hidden="true"><span style={{ width: `${Math.max(0, Math.min(1, p)) * 100}%` }} /></span>
      <span className="pbar-value">{formatProb(p)}</span>
    </span>
  );
}

/** Shows a token's text with its spaces and newlines visible. */
export function tokenLabel(t: string | null | undefined): string {
  if (t == null) return '?';
  return t.replace(/ /g, '·').replace(/\n/g, '↵') || '∅';
}
