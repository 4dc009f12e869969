// Runs second in the page (after csp-setup, before React and the screens are evaluated): starts the engine worker
// and onnxruntime in it, which then load beside the page's own start, the catalog and the model download.
import { engineClient } from './workers/engine-client';

engineClient.start();
