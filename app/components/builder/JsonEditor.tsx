// The experiment document as JSON, live: it follows the builder, and what is typed or pasted here (our format or a
// pyvene IntervenableConfig) is validated as you type, with each problem shown at its JSON path, and applied when valid.
import { useEffect, useRef, useState } from 'react';
import type { ValidationIssue } from '../../../engine/experiment/experiment-schema';
import { ExperimentSchema } from '../../../engine/experiment/experiment-schema';
import { exportPyveneConfig } from '../../../engine/experiment/pyvene-config';
import { download } from '../heatmap/export';
import { ExportPython } from '../results-import/ExportPython';
import { importDocument } from './import-doc';
import { compactJson } from './compact-json';

/** The document as pyvene's saved config.json (the runnable scripts: ExportPython, from engine/export/). */
function pyveneConfig(doc: Record<string, unknown>): string | null {
  const parsed = ExperimentSchema.safeParse(doc);
  if (!parsed.success) return null;
  try {
    return JSON.stringify(exportPyveneConfig(parsed.data), null, 2);
  } catch (e) {
    return `# ${(e as Error).message}\n`;
  }
}

export function JsonEditor({ doc, onApply }: { doc: Record<string, unknown>; onApply: (doc: Record<string, unknown>) => void }) {
  const pretty = compactJson(doc);
  const [text, setText] = useState(pretty);
  const [errors, setErrors] = useState<ValidationIssue[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const applied = useRef(pretty);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // The builder changed the document: show it (and what is wrong with it), unless this editor just applied it.
  useEffect(() => {
    const canonical = compactJson(doc);
    if (canonical !== applied.current) {
      applied.current = canonical;
      setText(canonical);
      const r = importDocument(canonical, doc);
      setErrors(r.ok ? [] : r.errors);
      setNote(null);
    }
  }, [doc]);

  useEffect(() => () => clearTimeout(timer.current), []);

  const check = (value: string) => {
    const r = importDocument(value, doc);
    if (!r.ok) {
      setErrors(r.errors);
      setNote(null);
      return;
    }
    setErrors([]);
    const canonical = compactJson(r.doc);
    applied.current = canonical;
    if (r.converted) {
      setText(canonical);
      setNote('Read as a pyvene IntervenableConfig and merged into the current experiment.');
    } else setNote(null);
    onApply(r.doc);
  };

  return (
    <div className="json-editor">
      <label htmlFor="experiment-json" className="sr-only">Experiment JSON</label>
      <textarea id="experiment-json" className={`code${errors.length ? ' invalid' : ''}`} spellCheck={false} rows={18} value={text}
        aria-invalid={errors.length > 0} aria-describedby="experiment-json-status" data-testid="json-editor"
        onChange={(e) => {
          const v = e.target.value;
          setText(v);
          clearTimeout(timer.current);
          timer.current = setTimeout(() => check(v), 250);
        }} />
      <div id="experiment-json-status" aria-live="polite">
        {errors.length > 0 ? (
          <ul className="json-errors" data-testid="json-errors">
            {errors.slice(0, 8).map((e, i) => <li key={i}><code>{e.path}</code> {e.message}</li>)}
            {errors.length > 8 && <li>… and {errors.length - 8} more</li>}
          </ul>
        ) : (
          <p className="small json-ok">{note ?? 'Valid experiment document.'}</p>
        )}
      </div>
      <div className="row">
        <button type="button" className="btn btn-small" onClick={() => { const p = compactJson(doc); applied.current = p; setText(p); setErrors([]); }}>Format</button>
        <button type="button" className="btn btn-small" onClick={() => void navigator.clipboard?.writeText(text)}>Copy</button>
        <button type="button" className="btn btn-small" disabled={errors.length > 0} data-testid="export-pyvene-config"
          onClick={() => { const t = pyveneConfig(doc); if (t) download('config.json', t, 'application/json'); }}>pyvene config.json</button>
      </div>
      <ExportPython kind="run" disabled={errors.length > 0} />
    </div>
  );
}
