// Trained interventions as files and as pyvene configs: a JSON document (type, site, position, rank, params) with
// the weights in a binary side file of little-endian float32 (the `{file, shape}` reference interventions/params.ts
// reads), and the same intervention as a Patchbay representation / pyvene config.json. Stage: results.
import { PatchbayError } from '../errors.js';
import { isComponent } from '../sites/components.js';
import type { Representation } from '../experiment/experiment-schema.js';
import type { ExperimentDoc } from '../experiment/experiment-schema.js';
import { exportPyveneConfig } from '../experiment/pyvene-config.js';
import type { TrainedCell } from './das.js';
import { TRAINABLE_TYPES, type TrainableType } from './parametrizations.js';

export const TRAINED_FORMAT = 1;

export interface TrainedDoc {
  format: number;
  intervention_type: TrainableType;
  model?: string;
  layer: number;
  component: string;
  /** Base token index the subspace was trained at (negative: from the end). */
  position: number;
  /** Subspace dimension (low_rank_dimension, interchange_dim; the feature count for Boundless). */
  rank: number;
  /** The rotation: D×r for LowRank (pyvene's rotate_layer.weight), D×D for the others. */
  weight: { file: string; shape: [number, number]; offset: number };
  /** intervention_boundaries and temperature (Boundless), interchange_dim (RotatedSpace). */
  params: Record<string, number>;
  iia?: number;
  losses?: number[];
}

/** The JSON document and its side file (D × r float32) for one trained cell. */
export function saveTrained(cell: TrainedCell, sideFile: string, extra: { model?: string; iia?: number } = {}): { json: TrainedDoc; bytes: Uint8Array } {
  const d = cell.weight.length / cell.weightCols;
  const bytes = new Uint8Array(cell.weight.length * 4);
  const view = new DataView(bytes.buffer);
  cell.weight.forEach((v, i) => view.setFloat32(i * 4, v, true));
  const json: TrainedDoc = {
    format: TRAINED_FORMAT, intervention_type: cell.type, ...extra,
    layer: cell.layer, component: cell.component, position: cell.position, rank: cell.rank,
    weight: { file: sideFile, shape: [d, cell.weightCols], offset: 0 }, params: cell.params, losses: cell.losses,
  };
  return { json, bytes };
}

export function loadTrained(json: unknown, files: Record<string, Uint8Array>): TrainedCell {
  const doc = json as Partial<TrainedDoc>;
  if (!doc || doc.format !== TRAINED_FORMAT || !TRAINABLE_TYPES.includes(doc.intervention_type!)) {
    throw new PatchbayError('TRAINING_INVALID', `not a trained intervention of format ${TRAINED_FORMAT} (${TRAINABLE_TYPES.join(', ')})`);
  }
  if (!isComponent(doc.component ?? '')) throw new PatchbayError('TRAINING_INVALID', `unknown component "${doc.component}"`, 'component');
  const { file, shape, offset = 0 } = doc.weight ?? ({} as TrainedDoc['weight']);
  const bytes = files[file];
  if (!bytes) throw new PatchbayError('TRAINING_INVALID', `side file "${file}" was not provided`, 'weight.file');
  const count = shape[0] * shape[1];
  if (offset + count * 4 > bytes.length) throw new PatchbayError('TRAINING_INVALID', `side file "${file}" has ${bytes.length} bytes; [${shape}] needs ${offset + count * 4}`, 'weight');
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 4);
  const weight = Float32Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true));
  return {
    layer: doc.layer!, position: doc.position!, component: doc.component as TrainedCell['component'], type: doc.intervention_type!,
    rank: doc.rank ?? shape[1], weight, weightCols: shape[1], params: doc.params ?? {}, losses: doc.losses ?? [],
  };
}

/** The trained cell as an experiment representation (weights inline), applied at its position. */
export function toRepresentation(cell: TrainedCell): Representation {
  const rows: number[][] = [];
  const c = cell.weightCols;
  for (let i = 0; i < cell.weight.length / c; i++) rows.push(Array.from(cell.weight.subarray(i * c, (i + 1) * c)));
  const lowRank = cell.type === 'LowRankRotatedSpaceIntervention';
  if (cell.type === 'SigmoidMaskIntervention') {
    return {
      layer: cell.layer, component: cell.component, unit: 'pos', max_number_of_units: 1, intervention_type: cell.type,
      low_rank_dimension: null, params: { masks: Array.from(cell.weight), ...cell.params },
    };
  }
  return {
    layer: cell.layer, component: cell.component, unit: 'pos', max_number_of_units: 1, intervention_type: cell.type,
    low_rank_dimension: lowRank ? cell.rank : null, params: lowRank ? { weight: rows } : { rotation: rows, ...cell.params },
  };
}

/** pyvene's config.json for the trained intervention (the rotation travels in the "patchbay" extension field). */
export function trainedPyveneConfig(cell: TrainedCell): Record<string, unknown> {
  return exportPyveneConfig({ config: { mode: 'parallel', representations: [toRepresentation(cell)] } } as unknown as ExperimentDoc);
}
