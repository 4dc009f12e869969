// Steering vectors from a saved trained intervention (`patchbay das --save-dir`: JSON + float32 side file,
// training/trained-io.ts): column k of its rotation — the k-th direction of the trained subspace — as a unit vector.
// The host reads the files (a callback), so the engine stays free of file systems. Stage: plan (input side).
import { PatchbayError } from '../../errors.js';
import { loadTrained } from '../../training/trained-io.js';
import type { SteerSpec } from './steering.js';

/** Reads a file by path (the CLI: node:fs; a test: a map). */
export type ReadFile = (path: string) => Promise<Uint8Array>;

export interface TrainedDirection {
  /** Unit-norm direction, one value per feature of the trained site. */
  values: number[];
  layer: number;
  component: string;
  type: string;
  /** Columns the subspace has (rank); `column` must be below it. */
  rank: number;
}

/** Column `column` of a trained intervention's rotation, normalised. Sigmoid masks hold no direction: refused. */
export function trainedDirection(json: unknown, files: Record<string, Uint8Array>, column = 0): TrainedDirection {
  const cell = loadTrained(json, files);
  if (cell.type === 'SigmoidMaskIntervention') {
    throw new PatchbayError('CONFIG_UNSUPPORTED', 'a SigmoidMaskIntervention learns a mask over features, not a direction: steer with a rotated-space intervention (LowRank, RotatedSpace, Boundless)', 'steer.trained');
  }
  const cols = cell.weightCols;
  const rank = Math.min(cell.rank, cols);
  if (!Number.isInteger(column) || column < 0 || column >= rank) {
    throw new PatchbayError('INPUT_INVALID', `column ${column} requested; the trained subspace has ${rank} direction(s) (0–${rank - 1})`, 'steer.trained');
  }
  const d = cell.weight.length / cols;
  const v = Array.from({ length: d }, (_, i) => cell.weight[i * cols + column]!);
  const norm = Math.hypot(...v);
  if (!(norm > 0)) throw new PatchbayError('TRAINING_INVALID', `column ${column} of the trained rotation is all zeros`, 'steer.trained');
  return { values: v.map((x) => x / norm), layer: cell.layer, component: cell.component, type: cell.type, rank };
}

/** The spec with a `trained` source replaced by its direction (a `vector` source); other specs unchanged. The side
 *  file is found relative to the JSON's folder. The spec's component must be the one the direction was trained at. */
export async function resolveTrainedSteer(spec: SteerSpec, read: ReadFile): Promise<SteerSpec> {
  const s = spec.source;
  if (s.kind !== 'trained') return spec;
  const json = parseJson(await read(s.file), s.file);
  const side = (json as { weight?: { file?: unknown } } | null)?.weight?.file;
  if (typeof side !== 'string' || side.includes('..') || side.startsWith('/')) {
    throw new PatchbayError('TRAINING_INVALID', `${s.file}: weight.file must name a side file beside it`, 'steer.trained');
  }
  const dir = s.file.includes('/') ? s.file.slice(0, s.file.lastIndexOf('/') + 1) : '';
  const dirn = trainedDirection(json, { [side]: await read(dir + side) }, s.column);
  if (dirn.component !== spec.component) {
    throw new PatchbayError('INPUT_INVALID', `${s.file} was trained at ${dirn.component} (layer ${dirn.layer}); steer that component (e.g. L${dirn.layer}.${dirn.component})`, 'steer.component');
  }
  return { ...spec, source: { kind: 'vector', values: dirn.values } };
}

function parseJson(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new PatchbayError('TRAINING_INVALID', `${file} is not JSON: ${(e as Error).message}`, 'steer.trained');
  }
}
