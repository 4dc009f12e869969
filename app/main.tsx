// The app's entry: mounts the React shell, reads the bundled model catalog and starts syncing the URL fragment with
// the experiment (which may open a shared link's model).
import './csp-setup';
import './start-engine';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ErrorBoundary } from './components/common/ErrorBoundary';
import { useStore } from './state/store';
import { startUrlSync } from './state/url-sync';
import { openDefaultModel } from './state/first-visit';
import './styles/base.css';
import './styles/components.css';
import './styles/screens.css';

const root = createRoot(document.getElementById('root')!);
root.render(<StrictMode><ErrorBoundary where="Patchbay"><App /></ErrorBoundary></StrictMode>);

// A first visit (no link) opens the bundled default model at once: the quick start's trace is then one click away.
void useStore.getState().loadCatalog().then(() => {
  startUrlSync();
  void openDefaultModel();
});
