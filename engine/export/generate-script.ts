// `patchbay export` for a generation document: `patchbay generate`'s flags as JSON, {"kind": "generate", "model"?,
// "prompt"?, "steer" | "experiment", "max_new_tokens", "intervene_on", "stop_at_eos"}. A pyvene or nnsight script that
// decodes the original and the intervened continuation greedily and writes `patchbay generate --json`'s output (with
// each token's probability) and provenance. This file: the document, the steering path and the decoding loop both
// paths share; an experiment document's interventions: generate-experiment.ts. Greedy only: torch's random numbers
// are not Patchbay's, so seeded sampling could not match token for token. Each step recomputes the whole sequence (no
// cache), which writes the same positions as Patchbay's cached passes.
import { z } from 'zod';
import { PatchbayError } from '../errors.js';
import { formatPath } from '../experiment/experiment-schema.js';
import { parseSteerSpec } from '../experiments/generate/steer-spec.js';
import { NNSIGHT_LOAD } from './nnsight.js';
import { py, pytorchModelFor } from './pyvene-pieces.js';
import { PYVENE_LOAD, type ExportOptions } from './pyvene.js';
import { prelude } from './script-common.js';

export const GenerateDocumentSchema = z.object({
  kind: z.literal('generate'),
  model: z.string().min(1).optional(),
  /** The prompt; with "experiment" it replaces the document's base (default: the base). */
  prompt: z.string().min(1).optional(),
  /** `--steer`'s SPEC: "L1.block_output:-2:diff=…|…/…", or its JSON form. */
  steer: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
  /** `--experiment`'s document (experiment-format.md), whose interventions apply while generating. */
  experiment: z.record(z.string(), z.unknown()).optional(),
  max_new_tokens: z.number().int().positive().default(20),
  intervene_on: z.enum(['prompt', 'generated', 'both']).default('both'),
  stop_at_eos: z.boolean().default(false),
  temperature: z.number().optional(),
}).strict().superRefine((d, ctx) => {
  if ((d.steer === undefined) === (d.experiment === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['steer'], message: 'give exactly one of "steer" (a steering vector) and "experiment" (an experiment document whose interventions apply)' });
  } else if (d.steer !== undefined && d.prompt === undefined) {
    ctx.addIssue({ code: 'custom', path: ['prompt'], message: 'a steering document needs "prompt"' });
  }
});
export type GenerateDocument = z.output<typeof GenerateDocumentSchema>;

/** The document, checked: EXPERIMENT_INVALID with the JSON path, CONFIG_UNSUPPORTED for sampling. */
export function parseGenerateDocument(json: unknown): GenerateDocument {
  const r = GenerateDocumentSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new PatchbayError('EXPERIMENT_INVALID', i.message, formatPath(i.path));
  }
  const doc = r.data;
  if (doc.temperature !== undefined && doc.temperature !== 0) {
    throw new PatchbayError('CONFIG_UNSUPPORTED', 'the export decodes greedily: torch\'s random numbers are not Patchbay\'s, so a seeded ' +
      'sampled continuation could not be reproduced token for token; remove "temperature" (or set it to 0)', 'temperature');
  }
  return doc;
}

/** The steering spec as the script reads it: layers (or "*"), component, coefficient, source. */
function steerOf(steer: string | Record<string, unknown>): Record<string, unknown> {
  const text = typeof steer === 'string' ? steer : JSON.stringify(steer);
  const all = typeof steer === 'string' ? /^\s*L\*\./.test(steer) : steer.layers === '*';
  // The model is not loaded here: "every layer" stays "*" and the script counts them.
  const spec = parseSteerSpec(all ? text.replace(/^\s*L\*/, 'L0').replace('"layers":"*"', '"layers":[0]') : text, 1);
  return { layers: all ? '*' : spec.layers, component: spec.component, coefficient: spec.coefficient, source: spec.source };
}

const STEER_SETUP = String.raw`
prompt_ids = tokenizer(G["prompt"])["input_ids"]
P = len(prompt_ids)
LAYERS = list(range(N_LAYERS)) if STEER["layers"] == "*" else STEER["layers"]
COMPONENT, COEF, SRC = STEER["component"], STEER["coefficient"], STEER["source"]

def token_id(text):
    t = tokenizer(text)["input_ids"]
    if len(t) != 1:
        sys.exit(f"{text!r} is {len(t)} tokens ({t}); a token embedding needs exactly one")
    return t[0]

def steering_vectors():
    """Per layer: coefficient x (the token's embedding, the given vector, or mean(positive) - mean(negative) of the
    site's value at each prompt's last token), as float32."""
    if SRC["kind"] == "vector":
        vecs = [torch.tensor(SRC["values"], dtype=torch.float32)] * len(LAYERS)
    elif SRC["kind"] == "token":
        vecs = [token_embedding(token_id(SRC["text"]))] * len(LAYERS)
    else:
        mean = lambda prompts: [torch.stack(v).mean(0) for v in zip(*[last_token_values(tokenizer(p)["input_ids"]) for p in prompts])]
        vecs = [p - n for p, n in zip(mean(SRC["positive"]), mean(SRC["negative"]))]
    return [(v.float() * COEF).to(device) for v in vecs]

def positions(length):
    """Where the vectors are added in a pass over the whole sequence: the prompt, the decoding positions (the
    prompt's last token and every new one), or both (docs/generation.md)."""
    return {"prompt": list(range(P)), "generated": list(range(P - 1, length)), "both": list(range(length))}[ON]

VECTORS = steering_vectors()
`.trim().split('\n');

/** The greedy loop both paths share: `next_logits(seq, intervened)` gives the last position's logits of one pass over
 *  the whole sequence, plain or intervened; each row ends at end of text when stop_at_eos. */
export const DECODE = String.raw`
eos = tokenizer("<|endoftext|>")["input_ids"]
STOPS = set(eos) if G.get("stop_at_eos") and len(eos) == 1 else set()
rows, gen, probs, ended = [list(prompt_ids), list(prompt_ids)], [[], []], [[], []], [False, False]
with torch.no_grad():
    for step in range(MAX_NEW):
        if all(ended):
            break
        for r in (0, 1):
            if ended[r]:
                continue
            logits = next_logits(rows[r], intervened=r == 1).detach().double().cpu()
            nxt = int(torch.argmax(logits))  # greedy; ties go to the lower id, as in Patchbay
            rows[r].append(nxt)
            gen[r].append(nxt)
            probs[r].append(float(torch.softmax(logits, -1)[nxt]))  # the model's own distribution (temperature 1)
            ended[r] = nxt in STOPS

def continuation(r):
    """patchbay generate --json's continuation: ids, their text, and each token decoded alone with its probability."""
    return {"ids": gen[r], "text": tokenizer.decode(gen[r]),
            "tokens": [{"id": i, "text": tokenizer.decode([i]), "prob": p} for i, p in zip(gen[r], probs[r])]}
`.trim().split('\n');

/** The settings both paths read from the document. */
export const SETTINGS = [
  'G = EXPERIMENT',
  'ON, MAX_NEW = G.get("intervene_on", "both"), G.get("max_new_tokens", 20)',
];

export const RESULT = [
  'result = {"model": args.model, "prompt_ids": prompt_ids, "original": continuation(0), "intervened": continuation(1),',
];

const PYVENE_PART = String.raw`
N_LAYERS = model.config.num_hidden_layers

def token_embedding(i):
    return model.get_input_embeddings().weight[i].detach().cpu()

def last_token_values(ids):
    """The site's value at the last token, per steered layer (pyvene's CollectIntervention)."""
    reps = [pv.RepresentationConfig(layer=l, component=COMPONENT, unit="pos", max_number_of_units=1,
                                    intervention_type=pv.CollectIntervention) for l in LAYERS]
    intervenable = pv.IntervenableModel(pv.IntervenableConfig(representations=reps), model)
    intervenable.set_device(device)
    with torch.no_grad():
        (_, collected), _ = intervenable({"input_ids": torch.tensor([ids], device=device)},
                                         unit_locations={"base": [[[len(ids) - 1]]] * len(LAYERS)})
    return [c.reshape(-1).detach().cpu() for c in collected]

def next_logits(seq, intervened):
    ids = {"input_ids": torch.tensor([seq], device=device)}
    if not intervened:
        return model(**ids).logits[0, -1]
    pos = positions(len(seq))
    reps = [pv.RepresentationConfig(layer=l, component=COMPONENT, unit="pos", max_number_of_units=len(pos),
                                    intervention_type=pv.AdditionIntervention, source_representation=v)
            for l, v in zip(LAYERS, VECTORS)]
    intervenable = pv.IntervenableModel(pv.IntervenableConfig(representations=reps), model)
    intervenable.set_device(device)
    _, out = intervenable(ids, unit_locations={"base": [[pos]] * len(LAYERS)})
    return out.logits[0, -1]
`.trim().split('\n');

const NNSIGHT_PART = String.raw`
N_LAYERS = lm.config.num_hidden_layers

def in_order():
    return sorted(range(len(LAYERS)), key=lambda i: LAYERS[i])  # nnsight reads modules in execution order

def token_embedding(i):
    embed = lm.transformer.wte if FAMILY == "gpt2" else lm.gpt_neox.embed_in
    with lm.trace(torch.tensor([[i]]), remote=args.remote):
        e = embed.output.save()
    return e[0, 0].detach().cpu()

def last_token_values(ids):
    saved = [None] * len(LAYERS)
    with lm.trace(torch.tensor([ids]), remote=args.remote):
        for i in in_order():
            saved[i] = site(LAYERS[i], COMPONENT)[0, -1].clone().save()
    return [v.detach().cpu() for v in saved]

def next_logits(seq, intervened):
    pos = positions(len(seq))
    with lm.trace(torch.tensor([seq]), remote=args.remote):
        if intervened:
            for i in in_order():
                h = site(LAYERS[i], COMPONENT)
                h[:, pos] += VECTORS[i].to(h.device)
        logits = lm.output.logits[0, -1].save()
    return logits
`.trim().split('\n');

/** The steering path (a parsed document with "steer"). */
export function exportGenerate(doc: GenerateDocument, target: 'pyvene' | 'nnsight', opts: ExportOptions = {}): string {
  const steer = steerOf(doc.steer!);
  const model = opts.hfModel ?? pytorchModelFor(doc.model ?? 'gpt2');
  const head = { engine: target, model, patchbayModel: doc.model ?? null, doc };
  const common = [`STEER = ${py(steer)}`, ...SETTINGS];
  const lines = target === 'pyvene'
    ? [...prelude(head, ['import pyvene as pv']), ...PYVENE_LOAD, ...common, ...PYVENE_PART, '', ...STEER_SETUP, '', ...DECODE, '',
      ...RESULT, '          "provenance": provenance(PYVENE_VERSION)}']
    : [...prelude(head, ['import nnsight', 'from nnsight import LanguageModel']), ...NNSIGHT_LOAD, ...common, ...NNSIGHT_PART, '',
      ...STEER_SETUP, '', ...DECODE, '', ...RESULT, '          "provenance": provenance(NNSIGHT_VERSION, args.remote)}'];
  return `${[...lines, 'write(result)'].join('\n')}\n`;
}
