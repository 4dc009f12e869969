// `patchbay export` for generation with an experiment document's interventions ({"kind": "generate", "experiment":
// DOC, "prompt"?, …}): the script reproduces `patchbay generate --experiment DOC.json --intervene-on X`. The document's
// interventions are built by the run exports (pyvene.ts, nnsight.ts); this file places them in every pass as
// generate/step-feeds.ts does: the document's positions on the prompt, and/or every decoding position (the prompt's
// last token and each new one) reading the source at the intervention's last prompt location. Stage: results (export).
import { PatchbayError } from '../errors.js';
import { validateExperiment, type ExperimentDoc, type Representation } from '../experiment/experiment-schema.js';
import { normalizeUnitLocations } from '../experiment/unit-locations.js';
import { COMPONENT_INFO, isComponent } from '../sites/components.js';
import { input, py, pytorchModelFor, unitLocations } from './pyvene-pieces.js';
import { PYVENE_CALL_SOURCES, PYVENE_LOAD, pyveneInterventions, type ExportOptions } from './pyvene.js';
import { NNSIGHT_LOAD, nnsightInterventions } from './nnsight.js';
import { constantOf, sourceOfEach } from './source-plan.js';
import { prelude } from './script-common.js';
import { DECODE, RESULT, SETTINGS, type GenerateDocument } from './generate-script.js';

type Target = 'pyvene' | 'nnsight';

/** pyvene applies these position by position (it does not flatten their units into one vector), so any number of
 *  units per pass means what Patchbay means; the others act on all of an intervention's units jointly. */
const PYVENE_PER_POSITION = new Set(['VanillaIntervention', 'AdditionIntervention', 'SubtractionIntervention', 'ZeroIntervention']);
const ROTATED_JOINTLY = /RotatedSpace|SigmoidMask/;

/** Per writing intervention: the document's positions on the prompt (source and base, paired one to one), and the
 *  source it reads in Patchbay's numbering (null: a constant source, or none). */
export interface GenerationLocation { src: number[]; tgt: number[]; source: number | null }

export function exportGenerateExperiment(g: GenerateDocument, target: Target, opts: ExportOptions = {}): string {
  const { doc, locations } = generationPlan(g, target);
  const serial = doc.config.mode === 'serial';
  const model = opts.hfModel ?? pytorchModelFor(doc.model ?? 'gpt2');
  const head = { engine: target, model, patchbayModel: doc.model ?? null, doc: g };
  const lines = target === 'pyvene'
    ? [...prelude(head, ['import pyvene as pv']), ...PYVENE_LOAD, ...pyveneInterventions(doc), '', ...inputs(doc, ''), ...SETTINGS,
      `subspaces = ${py(doc.subspaces ?? null)}`,
      'prompt_ids = base["input_ids"][0].tolist()',
      `LOCS = ${py(locations)}  # per intervention: source and base positions on the prompt, the source it reads`,
      `SERIAL = ${py(serial)}  # a chain source_0 -> … -> base: only its last hop follows the generation`,
      ...(serial ? [`HOPS = ${unitLocations(Object.fromEntries(Object.entries(doc.unit_locations!).slice(0, -1)))}  # the chain's earlier hops`] : []),
      'SOURCE_OF = [loc["source"] for loc in LOCS]',
      ...PLACES, ...PYVENE_CALL_SOURCES, '', ...PYVENE_PASS, '', ...DECODE, '', ...RESULT, '          "provenance": provenance(PYVENE_VERSION)}']
    : [...prelude(head, ['import nnsight', 'from nnsight import LanguageModel']), ...NNSIGHT_LOAD, ...inputs(doc, '["input_ids"]'),
      ...nnsightInterventions(doc), ...SETTINGS,
      'prompt_ids = base[0].tolist()',
      'LOCS = [{"src": s["src"], "tgt": s["tgt"], "source": s["source"]} for s in STEPS]  # the document\'s positions on the prompt',
      `SERIAL = ${py(serial)}  # a chain source_0 -> … -> base: only its last hop follows the generation`,
      ...PLACES, ...NNSIGHT_PASS, '', ...DECODE, '', ...RESULT, '          "provenance": provenance(NNSIGHT_VERSION, args.remote)}'];
  return `${[...lines, 'write(result)'].join('\n')}\n`;
}

function inputs(doc: ExperimentDoc, ids: string): string[] {
  return [
    `base = on_device(${input(doc.base)})${ids}`,
    `sources = [on_device(s)${ids} for s in [${doc.sources.map(input).join(', ')}]]`,
  ];
}

/** The run document the script builds (collects dropped: generation does not collect; constant sources on their
 *  representations; locations spelled out, serial hops as pyvene nests them), and each intervention's prompt
 *  locations. CONFIG_UNSUPPORTED names what the export cannot reproduce exactly. */
export function generationPlan(g: GenerateDocument, target: Target): { doc: ExperimentDoc; locations: GenerationLocation[] } {
  const experiment = g.experiment!;
  const v = validateExperiment({ ...experiment, ...(g.prompt !== undefined ? { base: g.prompt } : {}), ...(g.model ? { model: g.model } : {}) });
  if (!v.ok) throw new PatchbayError('EXPERIMENT_INVALID', v.errors[0]!.message, `experiment.${v.errors[0]!.path}`.replace(/\.$/, ''));
  const doc = v.value;
  const on = g.intervene_on;
  const serial = doc.config.mode === 'serial';
  if (Array.isArray(doc.base) && doc.base.length !== 1) refuse(`a base of ${doc.base.length} rows: generation runs one prompt`, 'experiment.base');
  const reps = doc.config.representations;
  // A serial chain's earlier hops write into source runs, which generation leaves alone: only the last hop follows it.
  reps.forEach((r, i) => {
    if (r.intervention_type !== 'CollectIntervention') checkRepresentation(r, i, serial && i < reps.length - 1 ? 'prompt' : on, target);
    else if (serial) refuse(`intervention ${i}: a CollectIntervention in a serial chain (Patchbay refuses it too)`, `experiment.config.representations[${i}].intervention_type`);
  });
  const locs = normalizeUnitLocations(doc.unit_locations, reps.map((r) => r.unit as 'pos' | 'h' | 'h.pos'));
  const kept: number[] = [];
  const sources = sourceOfEach(doc);
  const locations: GenerationLocation[] = [];
  reps.forEach((r, i) => {
    if (r.intervention_type === 'CollectIntervention') return; // Patchbay's generate writes; it does not collect
    const one = (rows: { pos?: number }[][] | null | undefined, side: string): number[] | null => {
      if (!rows) return null;
      if (rows.length !== 1) refuse(`per-row locations (intervention ${i}, ${side}): generation runs one prompt`, 'experiment.unit_locations');
      return rows[0]!.map((u) => u.pos!);
    };
    const tgt = one(locs.base[i], 'base')!;
    const source = sources[i]!;
    if (serial && source === null) refuse(`intervention ${i}: a serial chain reads a source at every hop (Patchbay refuses it too)`, `experiment.config.representations[${i}].intervention_type`);
    locations.push({ src: one(locs.source[i], 'source') ?? tgt, tgt, source });
    kept.push(i);
  });
  if (kept.length === 0) refuse('no intervention that writes (a CollectIntervention only reads): both continuations would be the original', 'experiment.config.representations');
  const written = kept.map((i) => {
    const r = reps[i]!;
    const constant = constantOf(doc, r, i);
    return constant ? { ...r, source_representation: constant } : r;
  });
  const positions = (side: 'src' | 'tgt') => locations.map((l) => [l[side]]);
  return {
    locations,
    doc: {
      ...doc, config: { ...doc.config, representations: written }, source_representations: null,
      unit_locations: serial
        ? Object.fromEntries(locations.map((l, i) => [`source_${i}->${i === locations.length - 1 ? 'base' : `source_${i + 1}`}`, [[[l.src]], [[l.tgt]]]]))
        : { 'sources->base': [positions('src'), positions('tgt')] },
      subspaces: doc.subspaces ? kept.map((i) => doc.subspaces![i] ?? null) : doc.subspaces,
    },
  };
}

function checkRepresentation(r: Representation, i: number, on: GenerateDocument['intervene_on'], target: Target): void {
  const path = `experiment.config.representations[${i}]`;
  if (r.intervention_type === 'NoiseIntervention') {
    refuse(`intervention ${i}: NoiseIntervention draws fresh noise on every pass, from Patchbay's generator (not torch's), so its samples cannot be reproduced`, `${path}.intervention_type`);
  }
  if (r.unit !== 'pos') refuse(`intervention ${i}: unit "${r.unit}": the generation export places interventions at token positions (unit "pos")`, `${path}.unit`);
  if (isComponent(r.component) && COMPONENT_INFO[r.component].layout === 'bhst') {
    refuse(`intervention ${i}: ${r.component} has a key axis that grows while generating (Patchbay refuses it too)`, `${path}.component`);
  }
  if (on === 'prompt') return;
  if (r.max_number_of_units > 1 && ROTATED_JOINTLY.test(r.intervention_type)) {
    refuse(`intervention ${i}: units rotated together (max_number_of_units > 1) cannot follow the generated tokens (Patchbay refuses it too): use intervene_on "prompt"`, path);
  }
  if (target === 'pyvene' && !PYVENE_PER_POSITION.has(r.intervention_type)) {
    refuse(`intervention ${i}: ${r.intervention_type} at the generated tokens: pyvene applies it to all of a pass's positions jointly as one vector, while Patchbay applies it at each position; use intervene_on "prompt", or --to nnsight`, `${path}.intervention_type`);
  }
}

function refuse(what: string, path: string): never {
  throw new PatchbayError('CONFIG_UNSUPPORTED', `the generation export does not reproduce ${what}`, path);
}

/** Python: the positions each pass writes (generate/step-feeds.ts), and a check of the document's prompt positions. */
const PLACES = String.raw`
P = len(prompt_ids)
for i in range(len(LOCS) - 1 if SERIAL else 0, len(LOCS)):  # the interventions that write into the prompt
    loc = LOCS[i]
    if max(loc["tgt"]) >= P:
        sys.exit(f"intervention {i}: position {max(loc['tgt'])} is past the prompt's {P} tokens")

def pass_locations(length):
    """Per intervention, its (source, base) positions in one pass over length tokens: the document's positions on the
    prompt (intervene_on prompt or both), then every decoding position not already listed (generated or both): the
    prompt's last token and each new one, reading the source where the intervention's last prompt location reads it
    (docs/generation.md)."""
    out = []
    for loc in LOCS:
        src, tgt = (list(loc["src"]), list(loc["tgt"])) if ON != "generated" else ([], [])
        if ON != "prompt":
            for p in range(P - 1, length):
                if p not in tgt:
                    src.append(loc["src"][-1])
                    tgt.append(p)
        out.append((src, tgt))
    return out
`.trim().split('\n');

/** pyvene: one intervenable call per pass, each group given the source Patchbay's plan gives its interventions. */
const PYVENE_PASS = String.raw`
CALL_SOURCES = call_sources()

def next_logits(seq, intervened):
    ids = {"input_ids": torch.tensor([seq], device=device)}
    if not intervened:
        return model(**ids).logits[0, -1]
    locs = pass_locations(len(seq))
    if SERIAL:  # the earlier hops as the document gives them, the last one placed for this pass
        where = {**HOPS, "source_%d->base" % (len(LOCS) - 1): ([[locs[-1][0]]], [[locs[-1][1]]])}
    else:
        where = {"sources->base": ([[s] for s, _ in locs], [[t] for _, t in locs])}
    _, out = intervenable(ids, CALL_SOURCES, unit_locations=where, subspaces=subspaces)
    return out.logits[0, -1]
`.split('\n').slice(0, -1);

/** nnsight: the sources' site values read once, then one traced pass per step with the steps placed for it. */
const NNSIGHT_PASS = String.raw`
with torch.no_grad():
    if SERIAL:  # source_0 -> source_1 -> ...: each hop patched into the next source run; the last hop reads the result
        values, carried = [None] * len(STEPS), None
        for i, step in enumerate(STEPS):
            carried = run(sources[i], [(STEPS[i - 1], carried)] if i > 0 else [], (step["layer"], step["component"]))
        values[-1] = carried
    else:
        values = [run(sources[s["source"]], [], (s["layer"], s["component"])) if s["source"] is not None else None for s in STEPS]

def next_logits(seq, intervened):
    ids = torch.tensor([seq], device=base.device)
    if not intervened:
        return run(ids, [])[0]
    placed = [dict(step, src=src, tgt=tgt) for step, (src, tgt) in zip(STEPS, pass_locations(len(seq)))]
    patches = list(zip(placed, values))
    return run(ids, patches[-1:] if SERIAL else patches)[0]
`.split('\n').slice(0, -1);
