// The engine's module Web Worker: serves an EngineService over comlink, so model loading and runs never block the UI.
import * as Comlink from 'comlink';
import { EngineService } from './engine-service';

Comlink.expose(new EngineService());
