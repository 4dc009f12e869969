// Hooks shared by the screens: the tokens and next-token prediction of a prompt (debounced, cached in the run
// slice), and a clock that re-renders while something runs.
import { useEffect, useState } from 'react';
import { useStore } from '../../state/store';
import { selectPrediction, type PredictionState } from '../../state/run-slice';

export function useDebounced<T>(value: T, ms = 300): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** Tokens and top-5 next tokens of a prompt, once a model is ready. */
export function usePrediction(text: string): PredictionState | undefined {
  const debounced = useDebounced(text, 250);
  const ready = useStore((s) => s.model.status === 'ready');
  const predict = useStore((s) => s.predict);
  const state = useStore(selectPrediction(debounced));
  useEffect(() => {
    if (ready && debounced.trim()) void predict(debounced);
  }, [ready, debounced, predict]);
  return state;
}

export function useElapsed(running: boolean): number {
  const [now, setNow] = useState(0);
  useEffect(() => {
    if (!running) return;
    const t0 = performance.now();
    setNow(0);
    const t = setInterval(() => setNow((performance.now() - t0) / 1000), 200);
    return () => clearInterval(t);
  }, [running]);
  return now;
}
