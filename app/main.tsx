// The app's entry: mounts the React shell, reads the bundled model catalog and starts syncing the URL fragment with
// the experiment (which may open a shared link's model).
import './csp-setup';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ErrorBoundary } from './components/common/ErrorBoundary';
import { useStore } from './state/store';
import { startUrlSync } from './state/url-sync';
import './styles/base.css';
import './styles/components.css';
import './styles/screens.css';

const root = createRoot(document.getElementById('root')!);
root.render(<StrictMode><ErrorBoundary where="Patchbay"><App /></ErrorBoundary></StrictMode>);

void useStore.getState().loadCatalog().then(() => startUrlSync());
