// "Import results" in the top bar (a file picker; a .json dropped anywhere on the page does the same), the banner
// that says where the shown result came from (engine, versions, device, model, file) with "Back to live runs", and
// the banner naming the problem (JSON path) when a file is not a result Patchbay can show.
import { useRef } from 'react';
import { provenanceLine } from '../../../engine/io/result-files';
import { useStore } from '../../state/store';
import { selectView } from '../../state/experiment-slice';
import { selectImportProblem, type ImportedFrom, type ImportedOp } from '../../state/import-slice';
import type { View } from '../../link/schema';
import '../../styles/results-import.css';

const OP_OF_VIEW: Partial<Record<View, ImportedOp>> = { trace: 'trace', intervene: 'intervention', sweep: 'sweep', generate: 'generation' };

/** The JSON files of a model folder: dropped with the model, never read as results. */
const MODEL_FILES = /^(config|tokenizer|tokenizer_config|generation_config|special_tokens_map|added_tokens|vocab|patchbay|preprocessor_config)\.json$/i;

/** A dropped file the workbench imports as a result (a single .json that is not part of a model's files). */
export function isResultFile(files: File[]): boolean {
  return files.length === 1 && /\.json$/i.test(files[0]!.name) && !MODEL_FILES.test(files[0]!.name);
}

export function ImportButton() {
  const input = useRef<HTMLInputElement>(null);
  const importFile = useStore((s) => s.importResultFile);
  return (
    <>
      <button type="button" className="btn" onClick={() => input.current?.click()} data-testid="import-results"
        title="Show a result file (patchbay run / trace / sweep / generate --json, or an exported pyvene / nnsight script's result.json)">Import results</button>
      <input ref={input} type="file" accept=".json,application/json" hidden data-testid="import-input" aria-label="Result file to import"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = ''; // the same file can be picked again
          if (f) void importFile(f);
        }} />
    </>
  );
}

export function ImportBanners() {
  const view = useStore(selectView);
  const op = OP_OF_VIEW[view];
  const imported = useStore((s) => (op === 'generation' ? s.generation.imported ?? null : op ? s.ops[op].imported ?? null : null));
  const problem = useStore(selectImportProblem);
  const clear = useStore((s) => s.clearImportProblem);
  const backToLive = useStore((s) => s.backToLive);
  return (
    <>
      {problem && (
        <div className="banner banner-error" role="alert" data-testid="import-problem">
          <div>
            <strong>Could not import {problem.file}.</strong> <code>{problem.path}</code> {problem.message}
            {problem.more > 0 ? ` (and ${problem.more} more problem${problem.more > 1 ? 's' : ''})` : ''}. Nothing else changed: the workbench below
            works as before.
          </div>
          <button type="button" className="btn btn-small" onClick={clear}>Dismiss</button>
        </div>
      )}
      {op && imported && (
        <div className="banner banner-imported" role="status" data-testid="import-banner">
          <Provenance from={imported} />
          <button type="button" className="btn btn-small" onClick={() => backToLive(op)} data-testid="back-to-live">Back to live runs</button>
        </div>
      )}
    </>
  );
}

function Provenance({ from }: { from: ImportedFrom }) {
  const p = from.provenance;
  const date = from.date ? new Date(from.date).toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : null;
  const main = p ? p.engine + (p.versions[p.engine] ? ` ${p.versions[p.engine]}` : '') + ` on ${p.remote ? 'NDIF (remote)' : p.device}` : 'Patchbay (no provenance in the file)';
  const others = p ? Object.entries(p.versions).filter(([k]) => k !== p.engine).map(([k, v]) => `${k} ${v}`).join(', ') : '';
  return (
    <div title={provenanceLine(p ?? undefined)}>
      <strong>Imported: {main}</strong>
      {from.model && <>, model <code data-testid="import-model">{from.model}</code></>}
      <span className="muted">, {from.file}{date ? `, ${date}` : ''}</span>
      <div className="small muted">{others ? `${others}. ` : ''}Not run in this browser. From the file: {from.carried}.</div>
    </div>
  );
}
