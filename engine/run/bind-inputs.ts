// Feeds for the inputs an export has whatever was compiled into it, by name: token ids, attention mask, position
// ids, past keys/values (empty, or a given layer's), the merged decoder's branch flag. Shared by forward() and the
// trace's stage runs. Stage: runs.
import type { LoadedModel } from '../load/load-model.js';
import type { FeedValue } from '../runtime/ort-runtime.js';
import type { FloatTensor } from '../runtime/tensor.js';

export interface TokenInputs {
  /** Token ids [rows][S]; all rows the same length. */
  ids: number[][];
  /** Tokens already in the past (positions and the attention mask start after them). Default 0. */
  pastLength?: number;
  /** The past keys and values fed to every past_key_values.*.{key,value} input [rows, heads, pastLength, d_head];
   *  without it, pasts are empty. */
  past?: { key: FloatTensor; value: FloatTensor };
}

/** The feed for a standard input `name`, or undefined when `name` is not one (slots, stage inputs). */
export function standardFeed(model: LoadedModel, name: string, inp: TokenInputs): FeedValue | undefined {
  const rows = inp.ids.length;
  const seq = inp.ids[0]?.length ?? 0;
  const past = inp.pastLength ?? 0;
  // Integer inputs in the type the export declares (onnxruntime's optimizer writes int32 ids and masks).
  const int = (values: BigInt64Array, dims: number[]): FeedValue => (declaredType(model, name) === 'int32' ? { int32: Int32Array.from(values, Number), dims } : { int64: values, dims });
  if (name === 'input_ids') return int(BigInt64Array.from(inp.ids.flat(), BigInt), [rows, seq]);
  if (name === 'attention_mask') return int(new BigInt64Array(rows * (past + seq)).fill(1n), [rows, past + seq]);
  if (name === 'position_ids') return int(positions(rows, seq, past), [rows, seq]);
  if (name.startsWith('past_key_values.') || /^past_\d+$/.test(name)) {
    const { nHeads, dHead } = model.info.dims;
    if (inp.past && name.startsWith('past_key_values.')) return name.endsWith('.key') ? inp.past.key : inp.past.value;
    const merged = !name.includes('.'); // past_N: key and value stacked, [2, B, H, 0, Dh]
    const dims = merged ? [2, rows, nHeads, 0, dHead] : [rows, nHeads, 0, dHead];
    return declaredType(model, name) === 'float16' ? { float16: new Uint16Array(0), dims } : { data: new Float32Array(0), dims };
  }
  if (name === 'use_cache_branch') return { bool: new Uint8Array([0]), dims: [1] };
  return undefined;
}

function declaredType(model: LoadedModel, name: string): string | undefined {
  return model.info.graph.inputs.find((i) => i.name === name)?.type;
}

/** Position ids offset..offset+seq−1 in every row. */
export function positions(rows: number, seq: number, offset: number): BigInt64Array {
  const pos = new BigInt64Array(rows * seq);
  for (let b = 0; b < rows; b++) for (let s = 0; s < seq; s++) pos[b * seq + s] = BigInt(offset + s);
  return pos;
}
