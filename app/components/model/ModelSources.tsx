// The three ways to open a model: one click on a bundled model, a Hugging Face repo id (or any URL with the hub's
// file layout) with a fp32 / quantized choice, and local files by picker, folder picker or drag and drop.
import { useRef, useState, type DragEvent } from 'react';
import { useStore } from '../../state/store';
import { selectCatalog, selectModel } from '../../state/model-slice';
import { HUB } from '../../state/approvals';
import type { ModelRef } from '../../link/schema';
import { Field, Panel, formatBytes } from '../common/ui';
import { isFamily } from '../../../engine/model/families';
import { isResultFile } from '../results-import/ImportResults';

function useOpen() {
  const setModelRef = useStore((s) => s.setModelRef);
  const requestModel = useStore((s) => s.requestModel);
  return (ref: ModelRef, files?: File[]) => {
    setModelRef(ref);
    void requestModel(ref, { files, userTyped: true });
  };
}

export function BundledModels() {
  const catalog = useStore(selectCatalog);
  const model = useStore(selectModel);
  const open = useOpen();
  return (
    <Panel title="Bundled models">
      {catalog === null && <p className="muted">Reading the list…</p>}
      {catalog?.length === 0 && <p className="muted">This build has no bundled models. Open one from the hub or from your disk below.</p>}
      <ul className="card-list">
        {catalog?.map((m) => {
          const active = model.ref?.kind === 'bundled' && model.ref.id === m.id;
          const supported = isFamily(m.family ?? '') || m.family === 'gru';
          const f = m.facts;
          return (
            <li key={m.id} className={`card${active ? ' card-active' : ''}`}>
              <div className="card-body">
                <div className="card-title">{m.display_name}</div>
                <div className="card-meta">
                  {[m.family, f.layers && `${f.layers} layers`, f.d_model && `d ${f.d_model}`, f.heads && `${f.heads} heads`,
                    f.params && (f.params >= 1e5 ? `${(f.params / 1e6).toFixed(1)}M params` : `${Math.round(f.params / 1e3)}K params`), f.bytes && formatBytes(f.bytes)].filter(Boolean).join(' · ')}
                </div>
                {m.description && <p className="card-text">{m.description}</p>}
                {m.family === 'gru' && <p className="card-text small muted">A recurrent network: it opens on the Interventions screen&apos;s time-step panel (tracing, sweeps and generation are for transformer language models).</p>}
                {!supported && <p className="card-text small muted">The workbench screens need a transformer language model (GPT-2 or GPT-NeoX) or a GRU; this {m.family ? m.family.toUpperCase() : 'model'} is not supported.</p>}
              </div>
              <button type="button" className="btn btn-primary" onClick={() => open({ kind: 'bundled', id: m.id })}
                disabled={!supported || (active && model.status === 'loading')} data-testid={`open-${m.id}`}>
                {active && model.status === 'ready' ? 'Reload' : 'Open'}
              </button>
            </li>
          );
        })}
      </ul>
    </Panel>
  );
}

export function HubLoader() {
  const [repo, setRepo] = useState('');
  const [variant, setVariant] = useState<'fp32' | 'quantized'>('fp32');
  const [endpoint, setEndpoint] = useState(HUB);
  const [url, setUrl] = useState('');
  const open = useOpen();
  const repoOk = /^[\w.-]+\/[\w.-]+$/.test(repo.trim());
  return (
    <Panel title="From the Hugging Face hub or a URL">
      <form className="form-grid" onSubmit={(e) => {
        e.preventDefault();
        if (!repoOk) return;
        const ep = endpoint.trim().replace(/\/+$/, '');
        open({ kind: 'hub', repo: repo.trim(), variant, endpoint: ep === HUB || ep === '' ? null : ep });
      }}>
        <Field label="Repository id" hint={<>An ONNX export in transformers.js layout, e.g. <code>onnx-community/gpt2</code>. Downloads are cached in this browser.</>}>
          {(id) => <input id={id} value={repo} onChange={(e) => setRepo(e.target.value)} placeholder="owner/name" spellCheck={false} autoComplete="off" data-testid="hub-repo" />}
        </Field>
        <fieldset className="segmented">
          <legend>Weights</legend>
          {(['fp32', 'quantized'] as const).map((v) => (
            <label key={v}><input type="radio" name="variant" value={v} checked={variant === v} onChange={() => setVariant(v)} />{v === 'fp32' ? 'fp32' : 'quantized (int8)'}</label>
          ))}
        </fieldset>
        <details className="advanced">
          <summary>Hub endpoint</summary>
          <Field label="Endpoint" hint="A mirror with the hub's URL layout (/<repo>/resolve/main/<file>).">
            {(id) => <input id={id} value={endpoint} onChange={(e) => setEndpoint(e.target.value)} spellCheck={false} data-testid="hub-endpoint" />}
          </Field>
        </details>
        <button type="submit" className="btn btn-primary" disabled={!repoOk} data-testid="hub-load">Download and open</button>
      </form>
      <form className="form-row" onSubmit={(e) => {
        e.preventDefault();
        if (/^https?:\/\//i.test(url.trim())) open({ kind: 'url', url: url.trim().replace(/\/+$/, ''), variant });
      }}>
        <Field label="Or a URL" hint="A folder laid out like a hub repo, or one .onnx file.">
          {(id) => <input id={id} type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://…" spellCheck={false} data-testid="model-url" />}
        </Field>
        <button type="submit" className="btn" disabled={!/^https?:\/\//i.test(url.trim())}>Open URL</button>
      </form>
    </Panel>
  );
}

export function LocalFiles() {
  const [over, setOver] = useState(false);
  const files = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  const open = useOpen();
  const take = (list: FileList | null) => {
    const arr = list ? Array.from(list) : [];
    if (arr.length === 0) return;
    const onnx = arr.find((f) => /\.onnx$/i.test(f.name));
    const root = arr[0]!.webkitRelativePath.split('/')[0];
    open({ kind: 'local', name: root || onnx?.name || arr[0]!.name }, arr);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    // A single result file (patchbay run / trace / …, an exported script's result.json) is imported, as anywhere else.
    const arr = Array.from(e.dataTransfer.files);
    if (isResultFile(arr)) void useStore.getState().importResultFile(arr[0]!);
    else take(e.dataTransfer.files);
  };
  return (
    <Panel title="From your disk">
      <div className={`dropzone${over ? ' dropzone-over' : ''}`} onDragOver={(e) => { e.preventDefault(); setOver(true); }}
        onDragLeave={() => setOver(false)} onDrop={onDrop} data-testid="dropzone">
        <p>Drop <code>model.onnx</code> with its <code>config.json</code> and <code>tokenizer.json</code> here (and <code>model.onnx_data</code> if it has one), or</p>
        <div className="row">
          <button type="button" className="btn" onClick={() => files.current?.click()}>Choose files…</button>
          <button type="button" className="btn" onClick={() => folder.current?.click()}>Choose a folder…</button>
        </div>
        <input ref={files} type="file" multiple hidden onChange={(e) => take(e.target.files)} aria-label="Model files" data-testid="file-input" />
        <input ref={folder} type="file" hidden onChange={(e) => take(e.target.files)} aria-label="Model folder"
          {...({ webkitdirectory: '', directory: '' } as Record<string, string>)} />
      </div>
    </Panel>
  );
}
