// `patchbay export --to pyvene`: a runnable pyvene script for a run document (interchange, addition, zero, collect,
// rotations with their parameters; parallel or serial) or a sweep document, writing Patchbay's own JSON (run result
// or sweep grid) with provenance. Stage: results (export). Python runs it; Patchbay never does.
import { PatchbayError } from '../errors.js';
import type { ExperimentDoc } from '../experiment/experiment-schema.js';
import type { SweepDocument } from '../experiments/sweep-document.js';
import { normalizeUnitLocations } from '../experiment/unit-locations.js';
import { siteId } from '../sites/site-id.js';
import type { Component } from '../sites/components.js';
import { input, parameterLines, py, pytorchModelFor, representation, unitLocations } from './pyvene-pieces.js';
import { prelude } from './script-common.js';
import { constantOf, sourceOfEach } from './source-plan.js';

export interface ExportOptions { hfModel?: string }

export const PYVENE_LOAD = [
  'if args.remote:',
  '    sys.exit("pyvene runs the model on this machine; export with --to nnsight to run on NDIF (--remote)")',
  'tokenizer = AutoTokenizer.from_pretrained(args.model)',
  'model = AutoModelForCausalLM.from_pretrained(args.model).to(device).eval()',
  'PYVENE_VERSION = getattr(pv, "__version__", "0.1.8+")',
  '',
  'def on_device(x):',
  '    return {k: v.to(device) for k, v in x.items()}',
  '',
];

/** pyvene (0.1.8) reads sources[group_key] and raises unless keys ascend with the representations, so its keys are
 *  0, 1, … in order; Patchbay accepts any keys (the i-th distinct key, ascending, reads source i, which is the same
 *  thing for pyvene's keys): say so before writing a script that fails. */
function checkGroupOrder(reps: ExperimentDoc['config']['representations']): void {
  const keys = reps.map((r) => r.group_key).filter((k) => k != null);
  const distinct = [...new Set(keys)];
  if (keys.length > 0 && !distinct.every((k, i) => k === i && (i === 0 || keys.indexOf(k) > keys.lastIndexOf(distinct[i - 1]!)))) {
    throw new PatchbayError('CONFIG_UNSUPPORTED',
      `pyvene reads source number group_key and needs the keys to be 0, 1, … in the representations' order; found ${keys.map(String).join(', ')}: renumber them (the i-th distinct key in ascending order reads source i) and list the interventions in key order`,
      'config.representations');
  }
}

export function exportPyveneRun(doc: ExperimentDoc, opts: ExportOptions = {}): string {
  const model = opts.hfModel ?? pytorchModelFor(doc.model ?? 'gpt2');
  const lines = [
    ...prelude({ engine: 'pyvene', model, patchbayModel: doc.model ?? null, doc }, ['import pyvene as pv']),
    ...PYVENE_LOAD,
    ...pyveneInterventions(doc),
    '',
    `base = on_device(${input(doc.base)})`,
    `sources = [on_device(s) for s in [${doc.sources.map(input).join(', ')}]]`,
    `unit_locations = ${unitLocations(doc.unit_locations)}`,
    `subspaces = ${py(doc.subspaces ?? null)}`,
    `K, FULL = ${doc.options.top_k}, ${py(doc.options.full_logits)}`,
    '',
    `COLLECTS = ${py(collects(doc))}  # per CollectIntervention: its index, site and base units per row`,
    `SOURCE_OF, SERIAL = ${py(sourceOfEach(doc))}, ${py(doc.config.mode === 'serial')}  # the source each intervention reads`,
    ...PYVENE_CALL_SOURCES,
    'with torch.no_grad():',
    '    original = model(**base).logits[:, -1]',
    '    returned, out = intervenable(base, call_sources(), unit_locations=unit_locations, subspaces=subspaces)',
    '    intervened = out.logits[:, -1]',
    '',
    ...COLLECTED,
    'ids = base["input_ids"]',
    'result = {',
    '    "model": args.model,',
    '    "tokens": {"base": token_texts(ids[0]), "sources": [token_texts(s["input_ids"][0]) for s in sources]},',
    '    "input_ids": {"base": ids[0].tolist(), "sources": [s["input_ids"][0].tolist() for s in sources]},',
    '    "original": prediction(original[0], K, FULL),',
    '    "intervened": prediction(intervened[0], K, FULL),',
    '    "collected": collected_values(returned),',
    '    "provenance": provenance(PYVENE_VERSION),',
    '}',
    'if ids.shape[0] > 1:',
    '    result["rows"] = [{"input_ids": ids[r].tolist(), "original": prediction(original[r], K, FULL),',
    '                       "intervened": prediction(intervened[r], K, FULL)} for r in range(ids.shape[0])]',
    'write(result)',
    '',
  ];
  return lines.join('\n');
}

/** A run document's interventions as pyvene builds them (shared by the run and the generation exports): the config,
 *  the IntervenableModel on the device, and each intervention's parameters set on its module. */
export function pyveneInterventions(doc: ExperimentDoc): string[] {
  const reps = doc.config.representations;
  checkGroupOrder(reps);
  return [
    'config = pv.IntervenableConfig(',
    `    mode=${py(doc.config.mode)},`,
    '    representations=[',
    // A constant source given document-wide (source_representations) goes on its representation, as pyvene takes it.
    ...reps.map((r, i) => `        ${representation({ ...r, source_representation: constantOf(doc, r, i) ?? undefined })},`),
    '    ],',
    ')',
    'intervenable = pv.IntervenableModel(config, model)',
    'intervenable.set_device(device)',
    'interventions = list(intervenable.interventions.values())',
    ...reps.flatMap((r, i) => parameterLines(r, i)),
  ];
}

export function exportPyveneSweep(doc: SweepDocument, opts: ExportOptions = {}): string {
  const model = opts.hfModel ?? pytorchModelFor(doc.model ?? 'gpt2');
  return [
    ...prelude({ engine: 'pyvene', model, patchbayModel: doc.model ?? null, doc }, ['import pyvene as pv']),
    ...PYVENE_LOAD,
    ...SWEEP_SETUP,
    'def patched(layer, pos):',
    '    config = pv.IntervenableConfig(representations=[pv.RepresentationConfig(layer=layer, component=COMPONENT, unit="pos",',
    '                                   max_number_of_units=1, intervention_type=pv.VanillaIntervention)])',
    '    intervenable = pv.IntervenableModel(config, model)',
    '    intervenable.set_device(device)',
    '    _, out = intervenable(base, [source], unit_locations={"sources->base": pos})',
    '    return out.logits[0, -1]',
    '',
    ...SWEEP_LOOP,
    'write(sweep_result(values, PYVENE_VERSION))',
    '',
  ].join('\n');
}

/** The sweep's setup in Python (shared with the nnsight export): inputs, clean runs, the score. */
export const SWEEP_SETUP = [
  'COMPONENT, METRIC, ANSWER = EXPERIMENT.get("component", "block_output"), EXPERIMENT.get("metric", "prob"), EXPERIMENT.get("answer")',
  'base = on_device(tokenizer(EXPERIMENT["base"], return_tensors="pt"))',
  'source = on_device(tokenizer(EXPERIMENT["source"], return_tensors="pt"))',
  'seq = base["input_ids"].shape[1]',
  'if source["input_ids"].shape[1] != seq:',
  '    sys.exit(f"base has {seq} tokens and source {source[\'input_ids\'].shape[1]}: the sweep needs equal token lengths")',
  'n_layers = model.config.num_hidden_layers',
  'with torch.no_grad():',
  '    base_logits = model(**base).logits[0, -1]',
  '    source_logits = model(**source).logits[0, -1]',
  'answer_id = tokenizer(ANSWER)["input_ids"][0] if ANSWER else int(torch.argmax(source_logits))',
  'base_top = int(torch.argmax(base_logits))',
  '',
  'def score(logits):',
  '    logits = logits.float()',
  '    if METRIC == "prob":',
  '        return float(torch.softmax(logits, -1)[answer_id])',
  '    return float(logits[answer_id] - logits[base_top])',
  '',
];

export const SWEEP_LOOP = [
  'values = [[0.0] * n_layers for _ in range(seq)]',
  'with torch.no_grad():',
  '    for layer in range(n_layers):',
  '        for pos in range(seq):',
  '            values[pos][layer] = score(patched(layer, pos))',
  '',
  'def sweep_result(values, engine_version, remote=False):',
  '    return {"model": args.model, "tokens": token_texts(base["input_ids"][0]), "layers": n_layers, "component": COMPONENT,',
  '            "metric": METRIC, "answer": {"id": answer_id, "text": tokenizer.decode([answer_id])},',
  '            "base_answer": {"id": base_top, "text": tokenizer.decode([base_top])},',
  '            "low_score": score(base_logits), "high_score": score(source_logits), "values": values,',
  '            "provenance": provenance(engine_version, remote)}',
  '',
];

/** Each CollectIntervention: its index, site id and base units per batch row (Patchbay's `collected` entries). */
function collects(doc: ExperimentDoc): { intervention: number; site: string; units: { pos?: number; head?: number }[][] }[] {
  const reps = doc.config.representations;
  if (!reps.some((r) => r.intervention_type === 'CollectIntervention')) return [];
  const locs = normalizeUnitLocations(doc.unit_locations, reps.map((r) => r.unit as 'pos' | 'h' | 'h.pos'));
  return reps.flatMap((r, i) => (r.intervention_type === 'CollectIntervention'
    ? [{ intervention: i, site: siteId({ layer: r.layer, component: r.component as Component }), units: locs.base[i]! }] : []));
}

/** The `sources` argument of pyvene's call: pyvene reads sources[group] for each intervention group, so each group
 *  gets the source Patchbay's plan gives its interventions (SOURCE_OF, from sourceOfEach), and none when they read
 *  none — a CollectIntervention given one would also collect from the source run. A serial chain reads source i at
 *  hop i. The run and the generation exports share it. */
export const PYVENE_CALL_SOURCES = String.raw`
def call_sources():
    """sources[group] per intervention group (pyvene 0.1.8: intervenable._intervention_group), as Patchbay reads them."""
    if SERIAL or not sources:
        return sources or None
    keys = list(intervenable.interventions.keys())
    out = [None] * len(intervenable._intervention_group)
    for group, members in intervenable._intervention_group.items():
        for key in members:
            s = SOURCE_OF[keys.index(key)]
            if s is not None:
                out[group] = sources[s]
    return out if any(s is not None for s in out) else None
`.trim().split('\n');

/** pyvene returns collected activations in its sorted order of interventions, one tensor per batch row. */
const COLLECTED = [
  'def collected_values(returned):',
  '    if not COLLECTS:',
  '        return []',
  '    _, activations = returned',
  '    keys = list(intervenable.interventions.keys())',
  '    order = [k for k in intervenable.sorted_keys if isinstance(intervenable.interventions[k], pv.CollectIntervention)]',
  '    rows = base["input_ids"].shape[0]',
  '    by_index = {keys.index(k): activations[j * rows:(j + 1) * rows] for j, k in enumerate(order)}',
  '    out = []',
  '    for c in COLLECTS:',
  '        for r in range(rows):',
  '            units = c["units"][r] if len(c["units"]) > r else c["units"][0]',
  '            values = by_index[c["intervention"]][r].detach().float().cpu().reshape(len(units), -1)',
  '            out.append({"intervention": c["intervention"], "site": c["site"], "row": r, "units": units, "values": values.tolist()})',
  '    return out',
  '',
];
