// Keeps the URL fragment and the experiment slice in step: the fragment "#e=<link>" is decoded on load and on
// hashchange (a damaged link leaves the app usable and says what went wrong); every experiment change is written
// back with replaceState, debounced. Opening a link loads its model (after approval) and re-runs its view.
import { decode, encode } from '../link/codec';
import type { Experiment, ModelRef } from '../link/schema';
import { useStore } from './store';

const PARAM = 'e';
let lastWritten = '';

export function linkFromHash(hash: string): string | null {
  const h = hash.replace(/^#/, '');
  if (!h) return null;
  for (const part of h.split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq) === PARAM) return part.slice(eq + 1);
  }
  return h.startsWith(`${PARAM}=`) ? h.slice(2) : '';
}

/** The share URL of an experiment. */
export function shareUrl(e: Experiment): string {
  const url = new URL(window.location.href);
  url.hash = `${PARAM}=${encode(e)}`;
  return url.href;
}

function sameRef(a: ModelRef | null, b: ModelRef): boolean {
  return !!a && JSON.stringify(a) === JSON.stringify(b);
}

function applyHash(): void {
  const text = linkFromHash(window.location.hash);
  if (text === null || text === lastWritten) return;
  const d = decode(text);
  const s = useStore.getState();
  if (!d.ok) {
    s.setLinkError(d.error.message);
    return;
  }
  s.setLinkError(null);
  lastWritten = text;
  s.setExperiment(d.value);
  const ref = d.value.model;
  if (ref.kind === 'none') return;
  const ready = s.model.status === 'ready' && sameRef(s.model.ref, ref);
  if (ready) {
    s.setAutorun(d.value.view);
    s.modelReady();
    return;
  }
  s.setAutorun(d.value.view);
  // Local files cannot travel in a link: this leaves a message asking for them (and runs once they are picked).
  void s.requestModel(ref);
}

export function startUrlSync(): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  applyHash();
  const onHash = () => applyHash();
  window.addEventListener('hashchange', onHash);
  const unsub = useStore.subscribe((s, prev) => {
    if (s.experiment === prev.experiment) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const text = encode(useStore.getState().experiment);
      if (text === lastWritten) return;
      lastWritten = text;
      history.replaceState(null, '', `#${PARAM}=${text}`);
    }, 250);
  });
  return () => {
    window.removeEventListener('hashchange', onHash);
    unsub();
    clearTimeout(timer);
  };
}
