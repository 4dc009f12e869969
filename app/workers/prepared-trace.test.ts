import { describe, expect, it } from 'vitest';
import { PreparedTrace, settingsKey, type TraceRun } from './prepared-trace';
import type { TraceOutput, TraceProgress } from './trace-op';

/** A trace run the test steps through: progress on demand, then a result. */
function controlledRun() {
  let report!: (p: TraceProgress) => void;
  let finish!: (r: TraceOutput) => void;
  let aborted = false;
  const run: TraceRun = ({ onProgress, signal }) => new Promise<TraceOutput>((resolve, reject) => {
    report = onProgress;
    finish = resolve;
    signal.addEventListener('abort', () => { aborted = true; reject(new Error('aborted')); });
  });
  return { run, report: (p: TraceProgress) => report(p), finish: (r: TraceOutput) => finish(r), aborted: () => aborted };
}

const RESULT = { tokens: ['a'] } as unknown as TraceOutput;

describe('PreparedTrace', () => {
  it('a request joining it gets the progress so far, the progress after, and the result', async () => {
    const c = controlledRun();
    const p = new PreparedTrace('k', c.run);
    c.report({ stage: 'cells', done: 3, total: 10 });
    const seen: number[] = [];
    const joined = p.join((x) => seen.push(x.done), new AbortController().signal);
    c.report({ stage: 'cells', done: 4, total: 10 });
    c.finish(RESULT);
    expect(await joined).toBe(RESULT);
    expect(seen).toEqual([3, 4]);
  });

  it("the joining request's cancel stops the trace; stop() gives null", async () => {
    const c = controlledRun();
    const p = new PreparedTrace('k', c.run);
    const cancel = new AbortController();
    const joined = p.join(() => undefined, cancel.signal);
    cancel.abort();
    expect(await joined).toBeNull();
    expect(c.aborted()).toBe(true);
  });

  it('keys settings whatever their property order', () => {
    expect(settingsKey({ a: 1, b: [2] })).toBe(settingsKey({ b: [2], a: 1 }));
    expect(settingsKey({ a: 1 })).not.toBe(settingsKey({ a: 2 }));
  });
});
