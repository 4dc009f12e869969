// The nnsight export's rotated-subspace interventions (RotatedSpace, LowRankRotatedSpace, BoundlessRotatedSpace,
// SigmoidMaskRotatedSpace, SigmoidMask) at token positions: each as a basis R (F×n, inline or a float32 side file),
// the chosen columns and their weights w, applied in the trace as the engine does: x' = x + ((s − x)·R_c·diag(w))·R_cᵀ
// (SigmoidMask: x' = x + m ⊙ (s − x) over the chosen features). Stage: results (export).
import { PatchbayError } from '../errors.js';
import type { ExperimentDoc, Representation } from '../experiment/experiment-schema.js';
import { resolveSubspaceRows } from '../experiment/subspaces.js';
import { lookupIntervention } from '../interventions/registry.js';
import { boundaryMask } from '../interventions/boundless-rotated-space.js';
import { range, sigmoid } from '../interventions/basis.js';
import { py } from './pyvene-pieces.js';

/** The rotated types the nnsight export carries. */
export const ROTATED = new Set(['RotatedSpaceIntervention', 'LowRankRotatedSpaceIntervention', 'BoundlessRotatedSpaceIntervention',
  'SigmoidMaskRotatedSpaceIntervention', 'SigmoidMaskIntervention']);

/** A rotated step's extra fields: its basis (BASES[i], or none for SigmoidMask), columns, weights, joint units. */
export interface RotatedFields { basis: number | null; cols: number[] | null; w: number[] | null; joint: boolean }

type FileRef = { file: string; shape: number[]; offset?: number };
const isRef = (v: unknown): v is FileRef => !!v && typeof v === 'object' && !Array.isArray(v) && 'file' in v;

/** [rows, cols] of an inline or side-file matrix. */
function shapeOf(v: unknown, what: string, path: string): [number, number] {
  if (isRef(v) && v.shape.length === 2) return [v.shape[0]!, v.shape[1]!];
  if (Array.isArray(v) && v.length > 0 && Array.isArray(v[0])) return [v.length, (v[0] as unknown[]).length];
  throw new PatchbayError('INTERVENTION_INVALID', `${what} must be a matrix (nested rows or {file, shape: [rows, cols]})`, path);
}

/** The step fields and the basis expression (appended to `bases`) for intervention i, from the engine's own rules. */
export function rotatedFields(doc: ExperimentDoc, r: Representation, i: number, bases: string[]): RotatedFields {
  const path = `config.representations[${i}].params`;
  const type = lookupIntervention(r.intervention_type);
  const parsed = type.params.safeParse(r.params ?? {});
  if (!parsed.success) throw new PatchbayError('INTERVENTION_INVALID', parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; '), path);
  const p = parsed.data as Record<string, unknown>;
  const select = (size: number): number[] | null => {
    const rows = resolveSubspaceRows(doc.subspaces?.[i], r.subspace_partition,
      typeof p.interchange_dim === 'number' ? p.interchange_dim : undefined, size, `subspaces[${i}]`);
    if (rows.length !== 1) unsupported(`intervention ${i}: per-row subspaces`, `subspaces[${i}]`);
    return rows[0]!;
  };
  const temperature = Number(p.temperature ?? 50);
  if (type.name === 'SigmoidMaskIntervention') {
    if (r.max_number_of_units > 1) unsupported(`intervention ${i}: SigmoidMaskIntervention over several units jointly`, `config.representations[${i}].max_number_of_units`);
    const masks = p.masks as number[] | undefined;
    return { basis: null, cols: select(masks?.length ?? Number.MAX_SAFE_INTEGER), w: masks ? masks.map((m) => sigmoid(m / temperature)) : [sigmoid(100 / temperature)], joint: false };
  }
  const matrix = type.name === 'LowRankRotatedSpaceIntervention' ? p.weight : p.rotation;
  const [rows, cols] = shapeOf(matrix, type.name === 'LowRankRotatedSpaceIntervention' ? 'weight' : 'rotation', path);
  bases.push(tensor(matrix));
  const fields = { basis: bases.length - 1, joint: r.max_number_of_units > 1 };
  if (type.name === 'BoundlessRotatedSpaceIntervention') return { ...fields, cols: null, w: boundaryMask(p as never, rows) };
  if (type.name === 'SigmoidMaskRotatedSpaceIntervention') {
    const masks = (p.masks as number[] | undefined) ?? new Array<number>(rows).fill(100);
    if (masks.length !== rows) throw new PatchbayError('SHAPE_MISMATCH', `masks has ${masks.length} values; expected ${rows}`, path);
    return { ...fields, cols: null, w: masks.map((m) => sigmoid(m / temperature)) };
  }
  return { ...fields, cols: select(cols) ?? range(cols), w: null };
}

/** A matrix as a float32 tensor expression: inline rows, or a side file beside the script read with numpy. */
function tensor(v: unknown): string {
  if (isRef(v)) {
    const count = v.shape.reduce((a, b) => a * b, 1);
    return `torch.tensor(np.fromfile(${py(v.file)}, dtype="<f4", offset=${v.offset ?? 0}, count=${count}).reshape(${py(v.shape)}))`;
  }
  return `torch.tensor(${py(v)}, dtype=torch.float32)`;
}

/** Python: BASES and the rotated apply, called from the run script's apply() for the "rotate" and "mix" kinds. */
export function rotationLines(bases: string[]): string[] {
  return [
    `BASES = [${bases.join(', ')}]  # per rotated intervention: its basis R (F×n; pyvene's rotate_layer.weight)`,
    '',
    'def rotated(step, x, s):',
    '    """x + ((s − x)·R_c·diag(w))·R_cᵀ over the chosen columns c of R (w = 1 unless the type weighs them); several',
    '    units rotate jointly as one vector (their features concatenated in location order), as Patchbay does."""',
    '    r = BASES[step["basis"]]',
    '    if step["cols"] is not None:',
    '        r = r[:, step["cols"]]',
    '    n = len(step["tgt"])',
    '    if step["joint"]:',
    '        x, s = x.reshape(x.shape[0], -1), s.reshape(s.shape[0], -1)',
    '    r = r.to(device=x.device, dtype=x.dtype)',
    '    d = (s - x) @ r',
    '    if step["w"] is not None:',
    '        d = d * torch.tensor(step["w"], dtype=x.dtype, device=x.device)',
    '    out = x + d @ r.T',
    '    return out.reshape(out.shape[0], n, -1) if step["joint"] else out',
    '',
    'def mixed(step, x, s):',
    '    """SigmoidMask: x + m ⊙ (s − x) on the chosen features (m = σ(masks / temperature))."""',
    '    m = torch.zeros(x.shape[-1], dtype=x.dtype, device=x.device)',
    '    w = torch.tensor(step["w"], dtype=x.dtype, device=x.device)',
    '    cols = step["cols"] if step["cols"] is not None else list(range(x.shape[-1]))',
    '    m[cols] = w[cols] if len(step["w"]) > 1 else w[0]',
    '    return x + m * (s - x)',
    '',
  ];
}

function unsupported(what: string, path: string): never {
  throw new PatchbayError('CONFIG_UNSUPPORTED', `the nnsight export does not carry ${what}; the pyvene export may (patchbay export --to pyvene)`, path);
}
