// A trace computed ahead, before anyone asked: the quick start's trace on a first visit (first-visit.ts asks for it
// once the default model is open). A trace request for the same settings joins it — its progress so far and from
// then on, its result — instead of starting over; anything else stops it. Stage: worker (scheduling only).
import type { TraceOutput, TraceProgress } from './trace-op';

export type TraceRun = (io: { onProgress: (p: TraceProgress) => void; signal: AbortSignal }) => Promise<TraceOutput>;

/** Equal settings give equal keys whatever their property order. */
export function settingsKey(settings: object): string {
  return JSON.stringify(Object.fromEntries(Object.entries(settings).sort(([a], [b]) => a.localeCompare(b))));
}

export class PreparedTrace {
  private latest: TraceProgress | null = null;
  private readonly listeners = new Set<(p: TraceProgress) => void>();
  private readonly own = new AbortController();
  /** The trace, or null once it was stopped or failed (a request then runs its own). */
  readonly result: Promise<TraceOutput | null>;

  constructor(readonly key: string, run: TraceRun) {
    this.result = run({
      onProgress: (p) => { this.latest = p; this.listeners.forEach((l) => l(p)); },
      signal: this.own.signal,
    }).catch(() => null);
  }

  stop(): void {
    this.own.abort();
  }

  /** The result for a request of the same trace: progress goes to `onProgress`; the request's signal stops it. */
  async join(onProgress: (p: TraceProgress) => void, signal: AbortSignal): Promise<TraceOutput | null> {
    if (this.latest) onProgress(this.latest);
    this.listeners.add(onProgress);
    const stop = () => this.stop();
    signal.addEventListener('abort', stop);
    try {
      return await this.result;
    } finally {
      this.listeners.delete(onProgress);
      signal.removeEventListener('abort', stop);
    }
  }
}
