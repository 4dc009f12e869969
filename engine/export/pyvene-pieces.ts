// The pieces of the exported Python scripts: Python literals (py), an experiment's inputs, unit_locations and
// representations as pyvene writes them, each intervention's parameters, and the PyTorch model of an ONNX reference.
// Used by the pyvene and nnsight exports (pyvene.ts, nnsight.ts, …). Stage: results.
import { PatchbayError } from '../errors.js';
import { lookupIntervention } from '../interventions/registry.js';
import type { BatchInput, Representation, TokenInput } from '../experiment/experiment-schema.js';
import { FAMILY_LIST } from '../model/families.js';

/** pyvene components Patchbay has and pyvene does not: the script says so instead of failing at run time. */
const NOT_IN_PYVENE = new Set(['token_embedding']);

/** Patchbay loads ONNX exports; pyvene needs the PyTorch weights of the same model. */
export function pytorchModelFor(ref: string): string {
  const m = /^(?:onnx-community|Xenova)\/(.+?)(?:-ONNX)?$/.exec(ref);
  if (!m) return ref;
  const name = m[1]!;
  const origin = FAMILY_LIST.flatMap((f) => f.pytorchOrigins).find((o) => o.prefix.test(name));
  return origin ? `${origin.org}/${name}` : name;
}

export function representation(r: Representation): string {
  if (NOT_IN_PYVENE.has(r.component)) {
    throw new PatchbayError('CONFIG_UNSUPPORTED', `component ${r.component} is Patchbay's own; pyvene has no hook for it`);
  }
  const type = lookupIntervention(r.intervention_type).name;
  const args = [
    `layer=${r.layer}`, `component=${py(r.component)}`, `unit=${py(r.unit)}`, `max_number_of_units=${r.max_number_of_units}`,
  ];
  if (r.low_rank_dimension != null) args.push(`low_rank_dimension=${r.low_rank_dimension}`);
  if (type === 'PCARotatedSpaceIntervention') {
    const p = r.params ?? {};
    args.push(`intervention=pv.PCARotatedSpaceIntervention(embed_dim=${(p.mean as unknown[] | undefined)?.length ?? 'None'}, ` +
      `pca=type("PCA", (), {"components_": ${array(p.components)}})(), pca_mean=${array(p.mean)}, pca_std=${array(p.std)})`);
  } else {
    args.push(`intervention_type=pv.${type}`);
  }
  if (r.subspace_partition) args.push(`subspace_partition=${py(r.subspace_partition)}`);
  if (r.group_key != null) args.push(`group_key=${py(r.group_key)}`);
  if (r.intervention_link_key != null) args.push(`intervention_link_key=${py(r.intervention_link_key)}`);
  if (r.source_representation) args.push(`source_representation=torch.tensor(${py(r.source_representation)})`);
  return `pv.RepresentationConfig(${args.join(', ')})`;
}

/** Weights pyvene keeps inside the intervention modules. */
export function parameterLines(r: Representation, i: number): string[] {
  const p = r.params ?? {};
  const iv = `interventions[${i}]`;
  const out: string[] = [];
  const tensor = (v: unknown) => `torch.tensor(${array(v)}, dtype=torch.float32)`;
  if (p.rotation !== undefined) out.push(`${iv}.rotate_layer.weight = ${tensor(p.rotation)}`);
  if (p.weight !== undefined) out.push(`${iv}.rotate_layer.weight = ${tensor(p.weight)}`);
  if (p.intervention_boundaries !== undefined) out.push(`${iv}.set_intervention_boundaries(${Number(p.intervention_boundaries)})`);
  // A whole-number temperature must still be a float tensor (pyvene's parameter refuses an integer one).
  const temperature = (t: unknown) => `${iv}.set_temperature(torch.tensor(${Number(t)}, dtype=torch.float32))`;
  if (r.intervention_type === 'SigmoidMaskIntervention') {
    // pyvene's SigmoidMaskIntervention names its parameter `mask` and starts at mask 0, temperature 0.01; Patchbay's
    // defaults are pyvene's SigmoidMaskRotatedSpace ones (100 and 50): write them, so both run the same intervention.
    out.push(p.masks !== undefined ? `${iv}.mask.data = ${tensor(p.masks)}` : `${iv}.mask.data = torch.full_like(${iv}.mask, 100.0)  # Patchbay's default`);
    out.push(temperature(p.temperature ?? 50));
  } else {
    if (p.temperature !== undefined) out.push(temperature(p.temperature));
    if (p.masks !== undefined) out.push(`${iv}.masks.data = ${tensor(p.masks)}`);
  }
  if (p.interchange_dim !== undefined && r.intervention_type === 'LowRankRotatedSpaceIntervention') {
    throw new PatchbayError('CONFIG_UNSUPPORTED',
      `intervention ${i}: pyvene's LowRankRotatedSpaceIntervention ignores interchange_dim (Patchbay keeps the first ${Number(p.interchange_dim)} columns): give those columns as the weight, or choose them with "subspaces"`,
      `config.representations[${i}].params.interchange_dim`);
  }
  if (p.interchange_dim !== undefined) out.push(`${iv}.set_interchange_dim(${Number(p.interchange_dim)})`);
  if (p.noise_level !== undefined) out.push(`${iv}.noise_level = torch.tensor(${Number(p.noise_level)})  # pyvene draws its own noise`);
  return out;
}

/** A numeric parameter as a Python expression: inline nested lists, or a side file read with numpy. */
function array(v: unknown): string {
  if (v && typeof v === 'object' && !Array.isArray(v) && 'file' in v) {
    const f = v as { file: string; shape: number[]; offset?: number };
    return `np.fromfile(${py(f.file)}, dtype="<f4", offset=${f.offset ?? 0}, count=${f.shape.reduce((a, b) => a * b, 1)}).reshape(${py(f.shape)})`;
  }
  return `np.array(${py(v)})`;
}

/** One input or a batch (rows of equal length, as Patchbay requires). */
export function input(t: BatchInput): string {
  const rows: TokenInput[] = Array.isArray(t) ? t : [t];
  if (rows.every((r) => typeof r === 'string')) {
    return `tokenizer(${rows.length === 1 ? py(rows[0]) : py(rows)}, return_tensors="pt")`;
  }
  const ids = rows.map((r) => (typeof r === 'string' ? null : r.input_ids));
  if (ids.some((r) => r === null)) throw new PatchbayError('CONFIG_UNSUPPORTED', 'a batch mixing text and token ids cannot be exported');
  return `{"input_ids": torch.tensor(${py(ids)})}`;
}

/** pyvene wants (source, base) pairs as tuples. */
export function unitLocations(u: Record<string, unknown> | null | undefined): string {
  if (!u) return 'None';
  const entries = Object.entries(u).map(([k, v]) => `${py(k)}: ${Array.isArray(v) && v.length === 2 ? `(${py(v[0])}, ${py(v[1])})` : py(v)}`);
  return `{${entries.join(', ')}}`;
}

/** JSON value as a Python literal. */
export function py(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'float("nan")';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(py).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}: ${py(x)}`).join(', ')}}`;
}
