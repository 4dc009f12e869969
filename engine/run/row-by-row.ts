// Runs a batch one row at a time, for exports whose batch axis was fixed to 1 (the dynamo exporter without dynamic
// shapes): per-row feeds are sliced, shared ones passed whole, and the rows' outputs stacked again. Slower than a
// batched run, but every experiment works unchanged. Stage: runs.
import type { FloatTensor } from '../runtime/tensor.js';
import type { ForwardRequest, ForwardResult } from './forward.js';

export async function forwardRowByRow(req: ForwardRequest, runOne: (r: ForwardRequest) => Promise<ForwardResult>): Promise<ForwardResult> {
  const batch = req.ids.length;
  const rows: ForwardResult[] = [];
  for (let b = 0; b < batch; b++) {
    const feeds = req.feeds && Object.fromEntries(Object.entries(req.feeds).map(([k, t]) => [k, rowOf(t, batch, b)]));
    rows.push(await runOne({ ...req, ids: [req.ids[b]!], feeds }));
  }
  const collected: Record<string, FloatTensor> = {};
  for (const id of Object.keys(rows[0]!.collected)) collected[id] = stack(rows.map((r) => r.collected[id]!));
  return { collected, ...(rows[0]!.logits ? { logits: stack(rows.map((r) => r.logits!)) } : {}) };
}

/** Slot feeds are [B, …] per row or [1, …] shared; projection bases [F, r] are shared, [B, F, r] per row. */
function rowOf(t: FloatTensor, batch: number, b: number): FloatTensor {
  if (t.dims.length < 3 || t.dims[0] !== batch) return t;
  const size = t.data.length / batch;
  return { data: t.data.slice(b * size, (b + 1) * size), dims: [1, ...t.dims.slice(1)] };
}

function stack(parts: FloatTensor[]): FloatTensor {
  const size = parts[0]!.data.length;
  const data = new Float32Array(size * parts.length);
  parts.forEach((p, i) => data.set(p.data, i * size));
  return { data, dims: [parts.length, ...parts[0]!.dims.slice(1)] };
}
