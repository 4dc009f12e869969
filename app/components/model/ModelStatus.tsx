// The loaded model's panel: download progress (bytes, %, speed, per file) with Cancel while loading; then its facts
// (family, sizes, tokenizer), the execution provider switch (wasm / WebGPU) with threads, and the download cache.
import { useEffect, useState } from 'react';
import { useStore } from '../../state/store';
import { downloadStats, selectModel, selectRuntime, type ModelLoad } from '../../state/model-slice';
import { engineClient } from '../../workers/engine-client';
import type { ExecutionProvider, ModelSummary } from '../../workers/protocol';
import { ErrorNote, Panel, ProgressBar, formatBytes } from '../common/ui';
import { FAMILIES } from '../../../engine/model/families';

export function ModelStatus() {
  const model = useStore(selectModel);
  return (
    <Panel title="Loaded model" className="model-status">
      {model.status === 'none' && <p className="muted">No model yet. Pick one on the left: the bundled ones open in a second.</p>}
      {model.status === 'loading' && <LoadProgress model={model} />}
      {model.status === 'error' && <ErrorNote error={model.error} title="The model could not be opened" />}
      {model.status === 'ready' && model.error && <ErrorNote error={model.error} title="That model could not be opened; this one is still loaded" />}
      {model.status === 'ready' && <Facts />}
      <Runtime />
      <CacheInfo />
    </Panel>
  );
}

function LoadProgress({ model }: { model: ModelLoad }) {
  const cancel = useStore((s) => s.cancelModel);
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 500);
    return () => clearInterval(t);
  }, []);
  const { loaded, total, speed } = downloadStats(model);
  const fraction = total ? loaded / total : null;
  return (
    <div className="load-progress" data-testid="load-progress">
      <div className="row between">
        <strong>{model.stage ?? 'Loading'}</strong>
        <button type="button" className="btn btn-small" onClick={cancel}>Cancel</button>
      </div>
      <ProgressBar value={fraction} label="Model download" />
      <div className="row between small muted" data-testid="load-bytes">
        <span>{formatBytes(loaded)}{total ? ` of ${formatBytes(total)} (${Math.round((fraction ?? 0) * 100)}%)` : ''}</span>
        <span>{speed ? `${formatBytes(speed)}/s` : ''}</span>
      </div>
      <ul className="file-list small">
        {Object.entries(model.files).map(([file, f]) => (
          <li key={file}><code>{file}</code> <span className="muted">{formatBytes(f.loaded)}{f.total ? ` / ${formatBytes(f.total)}` : ''}{f.done ? ' ✓' : ''}</span></li>
        ))}
      </ul>
    </div>
  );
}

function Facts() {
  const load = useStore(selectModel);
  const catalog = useStore((s) => s.catalog);
  const m = load.summary!;
  const ref = load.ref;
  const title = ref?.kind === 'bundled' ? catalog?.find((c) => c.id === ref.id)?.display_name ?? m.name : m.name;
  const d = m.dims;
  const rows: [string, string][] = m.family === 'gru' || m.recurrent ? recurrentFacts(m) : [
    ['Family', FAMILIES[m.family].displayName],
    ['Layers', String(d.nLayers)],
    ['Width (d_model)', String(d.dModel)],
    ['Heads', `${d.nHeads} × ${d.dHead}`],
    ['MLP width', String(d.dMlp)],
    ['Vocabulary', d.vocabSize.toLocaleString()],
    ['Graph size', formatBytes(m.bytes)],
    ['Tokenizer', m.hasTokenizer ? 'yes' : 'missing (token ids only)'],
    ['Exported by', m.graph.exporter],
    ['Numbers', m.graph.dtype],
    ['Layout', m.graph.layout],
    ['Hook sites', unavailableNote(m.unavailableSites)],
  ];
  return (
    <div data-testid="model-facts">
      <div className="model-name">{title}</div>
      <dl className="facts">
        {rows.map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{v}</dd></div>)}
      </dl>
    </div>
  );
}

function Runtime() {
  const runtime = useStore(selectRuntime);
  const setProvider = useStore((s) => s.setProvider);
  const [pending, setPending] = useState<ExecutionProvider | null>(null);
  if (!runtime) return null;
  const choose = async (p: ExecutionProvider) => {
    setPending(p);
    await setProvider(p);
    setPending(null);
  };
  const shown = pending ?? runtime.provider;
  return (
    <div className="runtime">
      <fieldset className="segmented" disabled={pending !== null}>
        <legend>Execution provider</legend>
        <label><input type="radio" name="provider" checked={shown === 'wasm'} onChange={() => void choose('wasm')} data-testid="provider-wasm" />wasm (CPU)</label>
        <label title={runtime.webgpu ? '' : 'No WebGPU adapter in this browser'}>
          <input type="radio" name="provider" checked={shown === 'webgpu'} disabled={!runtime.webgpu} onChange={() => void choose('webgpu')} data-testid="provider-webgpu" />WebGPU
        </label>
      </fieldset>
      <p className="small muted" data-testid="runtime-facts" aria-live="polite">
        {pending ? `Switching to ${pending === 'webgpu' ? 'WebGPU' : 'wasm'}…` : runtime.provider === 'webgpu' ? 'Running on the GPU through WebGPU.' : `Running on the CPU with ${runtime.threads} wasm thread${runtime.threads === 1 ? '' : 's'}.`}
        {!runtime.crossOriginIsolated && ' (Threads need a cross-origin isolated page.)'}
        {!runtime.webgpu && ' WebGPU is not available here.'}
      </p>
    </div>
  );
}

function CacheInfo() {
  const [usage, setUsage] = useState<{ files: number; bytes: number } | null>(null);
  const status = useStore((s) => s.model.status);
  useEffect(() => {
    void engineClient.cacheUsage().then((r) => r.ok && setUsage(r.value));
  }, [status]);
  if (!usage) return null;
  return (
    <div className="row between small cache-info">
      <span className="muted">Download cache: {usage.files} file{usage.files === 1 ? '' : 's'}{usage.bytes ? `, ${formatBytes(usage.bytes)}` : ''}</span>
      <button type="button" className="btn btn-small" disabled={usage.files === 0}
        onClick={() => void engineClient.clearCache().then(() => setUsage({ files: 0, bytes: 0 }))}>Clear cache</button>
    </div>
  );
}

/** A GRU's facts: layers, state size, input and output sizes (no heads, MLP or tokenizer). */
function recurrentFacts(m: ModelSummary): [string, string][] {
  const r = m.recurrent;
  return [
    ['Family', 'GRU (recurrent network)'],
    ['Layers', String(m.dims.nLayers)],
    ['State size (hidden)', String(r?.hidden ?? m.dims.dModel)],
    ['Input symbols', String(r?.inputSize ?? '?')],
    ['Output symbols', String(r?.outputSize ?? m.dims.vocabSize)],
    ['Graph size', formatBytes(m.bytes)],
    ['Exported by', m.graph.exporter],
    ['Numbers', m.graph.dtype],
    ['Works on', 'Interventions (time steps)'],
  ];
}

/** "all found", or how many are unavailable and the first reason (the site grid shows each one's). */
function unavailableNote(gaps: Record<string, string>): string {
  const reasons = [...new Set(Object.values(gaps))];
  if (reasons.length === 0) return 'all found';
  const n = Object.keys(gaps).length;
  return `${n} unavailable: ${reasons[0]}${reasons.length > 1 ? ` (and ${reasons.length - 1} more reasons; see the Interventions site grid)` : ''}`;
}
