// The app shell: header with the screens as tabs, the loaded model's chip and the share button; banners for a
// damaged link and for approving a model download; then the active screen.
import { useEffect, useState, type ReactNode } from 'react';
import { useStore } from './state/store';
import { selectClassroom, selectExperiment, selectView } from './state/experiment-slice';
import { selectModel } from './state/model-slice';
import { selectApproval, selectLinkError } from './state/view-slice';
import { shareUrl } from './state/url-sync';
import { defaultExperiment, type View } from './link/schema';
import type { Store } from './state/types';
import { ErrorBoundary } from './components/common/ErrorBoundary';
import { ModelScreen } from './components/model/ModelScreen';
import { TraceScreen } from './components/trace/TraceScreen';
import { BuilderScreen } from './components/builder/BuilderScreen';
import { SweepScreen } from './components/sweep/SweepScreen';
import { ClassroomScreen } from './components/classroom/ClassroomScreen';
import { GenerateScreen } from './components/generate/GenerateScreen';
import { ProbeScreen } from './components/probe/ProbeScreen';
import { AttributionScreen } from './components/attribution/AttributionScreen';
import { ImportBanners, ImportButton, isResultFile } from './components/results-import/ImportResults';
import { ModelKindSwitch } from './components/recurrent/ModelKindSwitch';

const TABS: { view: View; label: string }[] = [
  { view: 'model', label: 'Model' },
  { view: 'trace', label: 'Causal trace' },
  { view: 'intervene', label: 'Interventions' },
  { view: 'sweep', label: 'Patching sweep' },
  { view: 'generate', label: 'Generate' },
  { view: 'probe', label: 'Probe vs DAS' },
  { view: 'attribution', label: 'Attribution' },
  { view: 'classroom', label: 'Classroom' },
];

const SCREENS: Record<View, () => ReactNode> = {
  model: () => <ModelScreen />,
  trace: () => <TraceScreen />,
  intervene: () => <BuilderScreen />,
  sweep: () => <SweepScreen />,
  generate: () => <GenerateScreen />,
  probe: () => <ProbeScreen />,
  attribution: () => <AttributionScreen />,
  classroom: () => <ClassroomScreen />,
};

/** What "Reset this screen" restores after a screen failed to draw (the rest of the experiment is kept). */
function resetFor(view: View, s: Store): (() => void) | undefined {
  const d = defaultExperiment();
  if (view === 'intervene') return () => s.setIntervention(d.intervention);
  if (view === 'trace') return () => s.patchTrace(d.trace);
  if (view === 'sweep') return () => s.patchSweep(d.sweep);
  if (view === 'generate') return () => s.patchGenerate(d.generate);
  if (view === 'probe') return () => s.patchProbe(d.probe);
  if (view === 'attribution') return () => s.patchAttribution(d.attribution);
  if (view === 'classroom') return () => s.patchClassroom(d.classroom);
  return undefined;
}

export function App() {
  const view = useStore(selectView);
  const setView = useStore((s) => s.setView);
  const classroom = useStore(selectClassroom);
  useEffect(() => {
    document.documentElement.classList.toggle('presentation', classroom.presentation);
  }, [classroom.presentation]);
  useFileDropAnywhere();
  return (
    <div className="app">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <div className="brand">
          <Logo />
          <span className="brand-name">Patchbay</span>
        </div>
        <nav className="tabs" aria-label="Screens">
          {TABS.map((t) => (
            <button key={t.view} type="button" className="tab" aria-current={view === t.view ? 'page' : undefined} onClick={() => setView(t.view)}>
              {t.label}
            </button>
          ))}
        </nav>
        <div className="topbar-right">
          <ModelChip />
          <ImportButton />
          <ShareButton />
        </div>
      </header>
      <Banners />
      <ImportBanners />
      <main id="main" className="main" tabIndex={-1}>
        <ErrorBoundary key={view} where={`The ${TABS.find((t) => t.view === view)?.label ?? view} screen`}
          onReset={resetFor(view, useStore.getState())} resetLabel="Reset this screen's settings">
          <ModelKindSwitch view={view}>{SCREENS[view]()}</ModelKindSwitch>
        </ErrorBoundary>
      </main>
    </div>
  );
}

/** Files dropped anywhere on the page (not only on the Model screen's drop zone) open as a local model, instead
 *  of the browser's default of navigating away from the workbench to show the file; a single result .json is imported. */
function useFileDropAnywhere(): void {
  useEffect(() => {
    const onDragOver = (e: DragEvent) => { if (e.dataTransfer?.types.includes('Files')) e.preventDefault(); };
    const onDrop = (e: DragEvent) => {
      const list = e.dataTransfer?.files;
      if (!list || list.length === 0 || e.defaultPrevented) return; // the drop zone took it already
      e.preventDefault();
      const files = Array.from(list);
      const s = useStore.getState();
      if (isResultFile(files)) {
        void s.importResultFile(files[0]!);
        return;
      }
      const ref = { kind: 'local' as const, name: files.find((f) => /\.onnx$/i.test(f.name))?.name ?? files[0]!.name };
      s.setView('model');
      s.setModelRef(ref);
      void s.requestModel(ref, { files, userTyped: true });
    };
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('drop', onDrop);
    };
  }, []);
}

function Logo() {
  return (
    <svg width="22" height="22" viewBox="0 0 16 16" aria-hidden="true">
      <rect width="16" height="16" rx="3.5" fill="#312e81" />
      <circle cx="4.5" cy="4.5" r="1.8" fill="#c7d2fe" />
      <circle cx="11.5" cy="11.5" r="1.8" fill="#c7d2fe" />
      <path d="M4.5 4.5 C 9 4.5, 7 11.5, 11.5 11.5" stroke="#c7d2fe" strokeWidth="1.2" fill="none" />
    </svg>
  );
}

function ModelChip() {
  const model = useStore(selectModel);
  const setView = useStore((s) => s.setView);
  const label = model.status === 'ready' ? shortName(model.summary!.name)
    : model.status === 'loading' ? 'Loading model…'
    : model.status === 'error' ? 'Model failed to load' : 'No model';
  const provider = model.status === 'ready' ? model.summary!.runtime.provider : null;
  return (
    <button type="button" className={`model-chip model-chip-${model.status}`} onClick={() => setView('model')} data-testid="model-chip"
      aria-label={`Model: ${label}${provider ? `, running on ${provider}` : ''}. Open the Model screen`}>
      <span className="dot" aria-hidden="true" />
      <span className="model-chip-name">{label}</span>
      {provider && <span className="model-chip-provider">{provider === 'webgpu' ? 'WebGPU' : 'wasm'}</span>}
    </button>
  );
}

/** "https://host/a/b/gpt2" → "gpt2 (host)"; other names as they are. */
function shortName(name: string): string {
  try {
    const u = new URL(name);
    return `${u.pathname.split('/').filter(Boolean).pop() ?? u.host} (${u.host})`;
  } catch {
    return name;
  }
}

function ShareButton() {
  const experiment = useStore(selectExperiment);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    const url = shareUrl(experiment);
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      window.prompt('Copy this link', url);
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1600);
  };
  return (
    <button type="button" className="btn btn-primary" onClick={() => void copy()} data-testid="share">
      {copied ? 'Link copied' : 'Copy link'}
    </button>
  );
}

function Banners() {
  const linkError = useStore(selectLinkError);
  const approval = useStore(selectApproval);
  const setLinkError = useStore((s) => s.setLinkError);
  const answer = useStore((s) => s.answerApproval);
  return (
    <>
      {linkError && (
        <div className="banner banner-error" role="alert" data-testid="link-error">
          <div>
            <strong>This link could not be opened.</strong> {linkError.charAt(0).toUpperCase() + linkError.slice(1)}. The workbench below
            still works: start from a model, or ask for a fresh link.
          </div>
          <button type="button" className="btn btn-small" onClick={() => { setLinkError(null); history.replaceState(null, '', '#'); }}>Dismiss</button>
        </div>
      )}
      {approval && (
        <div className="banner banner-warn" role="alertdialog" aria-labelledby="approval-text" data-testid="approval">
          <div id="approval-text">
            <strong>Download a model from {approval.origin}?</strong> This link names a model on a site you have not used with Patchbay before.
            Nothing is downloaded until you allow it.
            {approval.ref.kind === 'url' || approval.ref.kind === 'hub' ? (
              <div className="small muted"><code>{approval.ref.kind === 'url' ? approval.ref.url : `${approval.ref.repo} (${approval.ref.variant})`}</code></div>
            ) : null}
          </div>
          <div className="banner-actions">
            <button type="button" className="btn btn-primary btn-small" onClick={() => answer('once')}>Allow once</button>
            <button type="button" className="btn btn-small" onClick={() => answer('always')}>Always allow this site</button>
            <button type="button" className="btn btn-small" onClick={() => answer('no')}>Don’t download</button>
          </div>
        </div>
      )}
    </>
  );
}
