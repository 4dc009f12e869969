// A run replaced by an identical one (the Generate coefficient's debounced rerun right after a click, a second click
// on Trace) must not report the first run's ABORTED over the second: only the current run writes its view's state.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Result } from '../workers/protocol';

const calls: { resolve: (r: Result<unknown>) => void; cancel: () => void }[] = [];
vi.mock('../workers/engine-client', () => ({
  engineClient: {
    experiment: () => {
      let resolve!: (r: Result<unknown>) => void;
      const result = new Promise<Result<unknown>>((r) => { resolve = r; });
      const call = { resolve, cancel: () => resolve({ ok: false, error: { code: 'ABORTED', message: 'the operation was cancelled' } }) };
      calls.push(call);
      return { result, cancel: () => call.cancel() };
    },
  },
  onEngineRestart: () => () => undefined,
}));

const { useStore } = await import('./store');
const RESULT = { prompt_ids: [1], original: { ids: [2], text: 'a', tokens: [] }, intervened: { ids: [3], text: 'b', tokens: [] }, cached: true };

beforeEach(() => {
  calls.length = 0;
  useStore.setState((s) => ({ model: { ...s.model, status: 'ready' } }));
});

describe('runGenerate', () => {
  it('a run replaced by the same run: the first one\'s ABORTED is not shown, the second one\'s result is', async () => {
    useStore.getState().runGenerate();
    useStore.getState().runGenerate(); // same settings: cancels the first
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(useStore.getState().generation.status).toBe('running');
    calls[1]!.resolve({ ok: true, value: RESULT });
    await new Promise((r) => setTimeout(r, 0));
    expect(useStore.getState().generation.status).toBe('done');
    expect(useStore.getState().generation.result).toEqual(RESULT);
  });
});

describe('an experiment op (runTrace)', () => {
  it('a trace replaced by the same trace shows the second one\'s result, not the first one\'s ABORTED', async () => {
    useStore.getState().runTrace();
    useStore.getState().runTrace();
    await new Promise((r) => setTimeout(r, 0));
    expect(useStore.getState().ops.trace.status).toBe('running');
    calls[1]!.resolve({ ok: true, value: { tokens: ['x'] } });
    await new Promise((r) => setTimeout(r, 0));
    expect(useStore.getState().ops.trace.status).toBe('done');
  });
});
