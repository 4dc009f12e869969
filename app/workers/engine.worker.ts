// The engine's module Web Worker: serves an EngineService over comlink, so model loading and runs never block the UI.
import * as Comlink from 'comlink';
import { EngineService } from './engine-service';

Comlink.expose(new EngineService());

// Hold a Web Lock named after this worker until it dies, and tell the page once it is held: the page then asks for the
// same lock, which it gets only when this worker is gone, however it died (engine-client.ts).
void globalThis.navigator?.locks?.request(self.name, () => {
  self.postMessage({ patchbayLockHeld: self.name });
  return new Promise<never>(() => undefined);
});
