// Compiled graphs and their onnxruntime sessions, cached by slot set and execution provider: a sweep compiles once.
// Stage: compile → runtime.
import type { DecodedModel } from '../onnx/model-file.js';
import { encodeForRuntime } from '../onnx/model-file.js';
import type { ModelDims } from '../model/model-types.js';
import type { SiteMap } from '../sites/find-sites.js';
import { Session, runtimeSettings, type ExecutionProvider } from '../runtime/ort-runtime.js';
import { instrument, slotsKey, type SlotSpec } from './instrument.js';

export interface CompiledGraph {
  key: string;
  specs: SlotSpec[];
  session: Session;
}

export class GraphCache {
  private readonly entries = new Map<string, Promise<CompiledGraph>>();
  constructor(private readonly model: DecodedModel, private readonly sites: SiteMap, private readonly dims: ModelDims) {}

  get(specs: SlotSpec[], provider: ExecutionProvider = runtimeSettings().provider): Promise<CompiledGraph> {
    const key = `${provider}|${slotsKey(specs)}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = this.compile(key, specs, provider);
      this.entries.set(key, entry);
      entry.catch(() => this.entries.delete(key));
    }
    return entry;
  }

  private async compile(key: string, specs: SlotSpec[], provider: ExecutionProvider): Promise<CompiledGraph> {
    const proto = instrument(this.model.proto, this.sites, this.dims, specs);
    const session = await Session.create(encodeForRuntime(this.model, proto), provider);
    return { key, specs, session };
  }

  /** Releases every session (switching providers, unloading a model). */
  async clear(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map(async (e) => (await e.catch(() => undefined))?.session.release()));
  }
}
