// Giving the event loop a turn inside long engine loops, so timers, worker messages (a Cancel from the UI) and
// AbortSignals get through: onnxruntime-web's runs resolve through microtasks only, and a loop of them starves
// everything else until it ends. Stage: runs (shared by long operations).
import { throwIfAborted } from '../errors.js';

/** Resolves on the next macrotask: setImmediate in Node, a MessageChannel message elsewhere (no 4 ms timer clamp). */
export function nextTask(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { channel.port1.close(); resolve(); };
    channel.port2.postMessage(null);
  });
}

/** Between two runs of a long operation: let other work in, then stop if the operation was cancelled meanwhile. */
export async function checkpoint(signal?: AbortSignal): Promise<void> {
  await nextTask();
  throwIfAborted(signal);
}
