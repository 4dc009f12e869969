// `patchbay export --to nnsight`: a runnable nnsight script (locally, or on NDIF with --remote and NDIF_API_KEY) for
// a run document — interchange, zero, addition, subtraction (constant sources too), collect, rotated subspaces
// (nnsight-rotations.ts) at token positions on the residual, attention and MLP sites, parallel or serial — a sweep
// document or a trained DAS document, writing Patchbay's own JSON. Stage: results (export).
import { PatchbayError } from '../errors.js';
import type { ExperimentDoc } from '../experiment/experiment-schema.js';
import { normalizeUnitLocations, type Unit } from '../experiment/unit-locations.js';
import { constantOf, sourceOfEach } from './source-plan.js';
import type { SweepDocument } from '../experiments/sweep-document.js';
import { input, py, pytorchModelFor } from './pyvene-pieces.js';
import { SWEEP_LOOP, SWEEP_SETUP, type ExportOptions } from './pyvene.js';
import { pairsEvaluation, prelude, trainedScript } from './script-common.js';
import { parseTrainedDocument, trainedRunDocument } from './trained-script.js';
import { ROTATED, rotatedFields, rotationLines, type RotatedFields } from './nnsight-rotations.js';

/** The pyvene types the nnsight export writes (the script's apply() holds their statements). */
const WRITES: Record<string, string> = {
  VanillaIntervention: 'set', AdditionIntervention: 'add', SubtractionIntervention: 'subtract', ZeroIntervention: 'zero',
  ...Object.fromEntries([...ROTATED].map((t) => [t, t === 'SigmoidMaskIntervention' ? 'mix' : 'rotate'])),
};
/** Components in the order a block runs them (nnsight reads modules in execution order). */
const COMPONENTS = ['block_input', 'attention_input', 'attention_output', 'mlp_input', 'mlp_activation', 'mlp_output', 'block_output'];

export const NNSIGHT_LOAD = [
  'import os',
  'if args.remote:',
  '    if not os.environ.get("NDIF_API_KEY"):',
  '        sys.exit("--remote runs on NDIF: set NDIF_API_KEY (https://login.ndif.us)")',
  '    nnsight.CONFIG.set_default_api_key(os.environ["NDIF_API_KEY"])',
  '    lm = LanguageModel(args.model)',
  'else:',
  '    lm = LanguageModel(args.model, device_map=device, dispatch=True)',
  'tokenizer = lm.tokenizer',
  'device = "ndif" if args.remote else device',
  'FAMILY = lm.config.model_type',
  '',
  'def on_device(x):',
  '    return {k: v.to(lm.device) for k, v in x.items()}',
  '',
  'def site(layer, component):',
  '    """The site\'s tensor inside a trace, as pyvene names components (a tuple\'s first element)."""',
  '    block = lm.transformer.h[layer] if FAMILY == "gpt2" else lm.gpt_neox.layers[layer]',
  '    attn, mlp = (block.attn, block.mlp) if FAMILY == "gpt2" else (block.attention, block.mlp)',
  '    mod, side = {"block_input": (block, "input"), "block_output": (block, "output"), "attention_input": (attn, "input"),',
  '                 "attention_output": (attn, "output"), "mlp_input": (mlp, "input"), "mlp_output": (mlp, "output"),',
  '                 "mlp_activation": (mlp.act, "output")}[component]',
  '    v = mod.output if side == "output" else mod.input',
  '    return v[0] if isinstance(v, tuple) else v',
  '',
  'NNSIGHT_VERSION = getattr(nnsight, "__version__", "unknown")',
  '',
];

export interface Step extends Partial<RotatedFields> {
  layer: number; component: string; type: string; src: number[]; tgt: number[]; source: number | null;
  /** A constant source (source_representation): its index in CONSTANTS. */
  constant?: number;
}

export function exportNnsightRun(doc: ExperimentDoc, opts: ExportOptions = {}): string {
  const model = opts.hfModel ?? pytorchModelFor(doc.model ?? 'gpt2');
  const lines = nnsightInterventions(doc);
  const serial = doc.config.mode === 'serial';
  return [
    ...prelude({ engine: 'nnsight', model, patchbayModel: doc.model ?? null, doc }, ['import nnsight', 'from nnsight import LanguageModel']),
    ...NNSIGHT_LOAD,
    `base = on_device(${input(doc.base)})["input_ids"]`,
    `sources = [on_device(s)["input_ids"] for s in [${doc.sources.map(input).join(', ')}]]`,
    lines[0]!,
    `SERIAL = ${py(serial)}`,
    `K, FULL = ${doc.options.top_k}, ${py(doc.options.full_logits)}`,
    ...lines.slice(1),
    'def collected_values(steps, values):',
    '    """Patchbay\'s collected entries, in the order the reads ran (sorted as in run())."""',
    '    ordered = sorted(steps, key=lambda st: (st["layer"], ORDER.index(st["component"])))',
    '    return [{"intervention": STEPS.index(step), "site": "L%d.%s" % (step["layer"], step["component"]), "row": 0,',
    '             "units": [{"pos": p} for p in step["tgt"]], "values": v[0].detach().float().cpu().tolist()}',
    '            for step, v in zip(ordered, values)]',
    '',
    'with torch.no_grad():',
    '    original, collected = run(base, []), []',
    '    if SERIAL:  # source_0 -> source_1 -> ... -> base, each hop patched into the next run',
    '        carried = None',
    '        for i, step in enumerate(STEPS):',
    '            patches = [(STEPS[i - 1], carried)] if i > 0 else []',
    '            carried = run(sources[i], patches, (step["layer"], step["component"]))',
    '        intervened = run(base, [(STEPS[-1], carried)])',
    '    else:',
    '        COLLECTS = [s for s in STEPS if s["type"] == "CollectIntervention"]',
    '        writing = [s for s in STEPS if s["type"] != "CollectIntervention"]',
    '        values = [run(sources[s["source"]], [], (s["layer"], s["component"])) if s["source"] is not None else None for s in writing]',
    '        if COLLECTS:',
    '            intervened, read_values = run(base, list(zip(writing, values)), collects=COLLECTS)',
    '            collected = collected_values(COLLECTS, read_values)',
    '        else:',
    '            intervened = run(base, list(zip(writing, values)))',
    '',
    'result = {',
    '    "model": args.model,',
    '    "tokens": {"base": token_texts(base[0]), "sources": [token_texts(s[0]) for s in sources]},',
    '    "input_ids": {"base": base[0].tolist(), "sources": [s[0].tolist() for s in sources]},',
    '    "original": prediction(original[0], K, FULL),',
    '    "intervened": prediction(intervened[0], K, FULL),',
    '    "collected": collected,',
    '    "provenance": provenance(NNSIGHT_VERSION, args.remote),',
    '}',
    'write(result)',
    '',
  ].join('\n');
}

/** A run document's interventions as nnsight script lines (shared by the run and the generation exports): STEPS (the
 *  first line), constant sources, the rotations, apply() (one intervention, in place on a site tensor) and run() (one
 *  traced pass with its writes and reads). */
export function nnsightInterventions(doc: ExperimentDoc): string[] {
  const bases: string[] = [];
  const constants: number[][] = [];
  const steps = plannedSteps(doc, bases, constants);
  return [
    `STEPS = ${py(steps)}  # per intervention: site, type, source and target positions, the source it reads`,
    `WRITES = ${py(WRITES)}`,
    ...(constants.length > 0 ? [`CONSTANTS = [torch.tensor(v, dtype=torch.float32) for v in ${py(constants)}]  # constant sources (source_representation)`] : []),
    ...(bases.length > 0 || steps.some((st) => st.type === 'SigmoidMaskIntervention') ? rotationLines(bases) : []),
    '',
    ...APPLY,
    `ORDER = ${py(COMPONENTS)}`,
    '',
  ];
}

const APPLY = [
  'def apply(step, h, src):',
  '    # the intervention at the target positions, in place on the site tensor h [batch, pos, features]; src: the source',
  '    # run\'s site value (read at the step\'s source positions), or None (a constant source, or none)',
  '    tgt, kind = step["tgt"], WRITES[step["type"]]',
  '    if kind == "zero":',
  '        h[:, tgt] = 0',
  '        return',
  '    if step.get("constant") is not None:',
  '        s = CONSTANTS[step["constant"]].to(h.device, h.dtype).expand(h.shape[0], len(tgt), -1)',
  '    else:',
  '        s = src[:, step["src"]]',
  '    if kind == "set":',
  '        h[:, tgt] = s',
  '    elif kind == "rotate":',
  '        h[:, tgt] = rotated(step, h[:, tgt], s)',
  '    elif kind == "mix":',
  '        h[:, tgt] = mixed(step, h[:, tgt], s)',
  '    elif kind == "add":',
  '        h[:, tgt] = h[:, tgt] + s',
  '    else:',
  '        h[:, tgt] = h[:, tgt] - s',
  '',
  'def run(ids, patches, read=None, collects=()):',
  '    """One pass: writes (step, source value) and reads the collect steps in execution order (a read before a write',
  '    at the same site, as Patchbay collects a site\'s value before its slot); returns the read site\'s value or the',
  '    logits, and with collects the values they read."""',
  '    items = [(step, src, False) for step, src in patches] + [(step, None, True) for step in collects]',
  '    items.sort(key=lambda it: (it[0]["layer"], ORDER.index(it[0]["component"]), 0 if it[2] else 1))',
  '    read_values = []',
  '    with lm.trace(ids, remote=args.remote):',
  '        for step, src, is_read in items:',
  '            h = site(step["layer"], step["component"])',
  '            if is_read:',
  '                read_values.append(h[:, step["tgt"]].clone().save())',
  '            else:',
  '                apply(step, h, src)',
  '        saved = (site(*read).clone() if read else lm.output.logits[:, -1]).save()',
  '    return (saved, read_values) if collects else saved',
  '',
];

export function exportNnsightSweep(doc: SweepDocument, opts: ExportOptions = {}): string {
  const model = opts.hfModel ?? pytorchModelFor(doc.model ?? 'gpt2');
  if (!COMPONENTS.includes(doc.component)) unsupported(`component ${doc.component}`, 'component');
  return [
    ...prelude({ engine: 'nnsight', model, patchbayModel: doc.model ?? null, doc }, ['import nnsight', 'from nnsight import LanguageModel']),
    ...NNSIGHT_LOAD,
    ...SWEEP_SETUP.map((l) => l.replace('model.config', 'lm.config').replace('model(**base)', 'lm._model(**base)').replace('model(**source)', 'lm._model(**source)')),
    'clean = []  # the source run\'s site value at every layer',
    'with torch.no_grad():',
    '    with lm.trace(source["input_ids"], remote=args.remote):',
    '        for layer in range(n_layers):',
    '            clean.append(site(layer, COMPONENT).clone().save())',
    '',
    'def patched(layer, pos):',
    '    with lm.trace(base["input_ids"], remote=args.remote):',
    '        h = site(layer, COMPONENT)',
    '        h[:, pos] = clean[layer][:, pos]',
    '        logits = lm.output.logits[0, -1].save()',
    '    return logits',
    '',
    ...SWEEP_LOOP,
    'write(sweep_result(values, NNSIGHT_VERSION, args.remote))',
    '',
  ].join('\n');
}

/** A trained DAS intervention (trained-script.ts's document) as an nnsight script: the run script with the trained
 *  position resolved per input (negative: from the end), and with pairs each pair intervened and the IIA. */
export function exportNnsightTrained(json: unknown, opts: ExportOptions & { files?: Record<string, Uint8Array> } = {}): string {
  const doc = parseTrainedDocument(json);
  const position = (doc.trained as { position?: number }).position ?? 0;
  let script = exportNnsightRun(trainedRunDocument(doc, opts.files ?? {}), opts);
  const serial = 'SERIAL = False\n';
  if (!script.includes(serial)) throw new Error('trained export: the run script changed its SERIAL line');
  script = script.replace(serial, [
    serial.trimEnd(),
    `POSITION = ${py(position)}  # the trained position (negative: from the end of each input)`,
    'def locate(ids):',
    '    return POSITION if POSITION >= 0 else ids.shape[1] + POSITION',
    'STEPS[0]["src"], STEPS[0]["tgt"] = [locate(sources[0])], [locate(base)]',
    '',
  ].join('\n'));
  return trainedScript(script, 'nnsight', doc.pairs as unknown[] | undefined, PAIRS);
}

/** The pairs evaluation (script-common.ts), each pair intervened through this engine. */
const PAIRS = pairsEvaluation([
  '        b = on_device(tokenizer(p["base"], return_tensors="pt"))["input_ids"]',
  '        s = on_device(tokenizer(p["source"], return_tensors="pt"))["input_ids"]',
  '        step = dict(STEPS[0], src=[locate(s)], tgt=[locate(b)])',
  '        value = run(s, [], (step["layer"], step["component"]))',
  '        logits = run(b, [(step, value)])[0].float().cpu()',
]);

/** Each intervention as a plain step, or CONFIG_UNSUPPORTED naming what the nnsight export does not carry. */
function plannedSteps(doc: ExperimentDoc, bases: string[], constants: number[][]): Step[] {
  const reps = doc.config.representations;
  const locs = normalizeUnitLocations(doc.unit_locations, reps.map((r) => r.unit as 'pos' | 'h' | 'h.pos'));
  const one = (rows: Unit[][] | null, i: number): number[] => {
    if (!rows) return [];
    if (rows.length !== 1) unsupported(`intervention ${i}: per-row locations`, 'unit_locations');
    return rows[0]!.map((u) => u.pos!);
  };
  const sources = sourceOfEach(doc);
  return reps.map((r, i) => {
    if (r.unit !== 'pos') unsupported(`intervention ${i}: unit "${r.unit}" (token positions only)`, `config.representations[${i}].unit`);
    if (!COMPONENTS.includes(r.component)) unsupported(`intervention ${i}: component ${r.component}`, `config.representations[${i}].component`);
    const collect = r.intervention_type === 'CollectIntervention';
    if (collect && doc.config.mode === 'serial') unsupported(`intervention ${i}: CollectIntervention in serial mode`, `config.representations[${i}].intervention_type`);
    if (!collect && !WRITES[r.intervention_type]) unsupported(`intervention ${i}: ${r.intervention_type} (use --to pyvene)`, `config.representations[${i}].intervention_type`);
    const rotated = ROTATED.has(r.intervention_type);
    if (!rotated && doc.subspaces?.[i] != null) unsupported(`intervention ${i}: subspaces`, `subspaces[${i}]`);
    const constant = constantOf(doc, r, i);
    const step: Step = { layer: r.layer, component: r.component, type: r.intervention_type, src: one(locs.source[i] ?? null, i), tgt: one(locs.base[i]!, i), source: sources[i]! };
    if (constant) step.constant = constants.push(constant) - 1;
    return rotated ? { ...step, ...rotatedFields(doc, r, i, bases) } : step;
  });
}

function unsupported(what: string, path: string): never {
  throw new PatchbayError('CONFIG_UNSUPPORTED', `the nnsight export does not carry ${what}; the pyvene export may (patchbay export --to pyvene)`, path);
}
