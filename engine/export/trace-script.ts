// `patchbay export` for a causal trace document: a pyvene or nnsight script that traces as `patchbay trace` does
// (ROME's method: noise on the subject's token embeddings, or token replacement, each (kind, token, layer) restored to
// its clean value, mlp/attn over the window) and writes the same trace JSON with provenance. Noise: explicit values
// (--noise-file, or the document's noise_values) or Patchbay's own seeded generator, ported, so one seed gives the same
// samples. Token replacement: one corrupted run of the replacement prompt, no noise.
import type { TraceDocument } from './trace-document.js';
import { NNSIGHT_LOAD } from './nnsight.js';
import { pytorchModelFor } from './pyvene-pieces.js';
import { PYVENE_LOAD, type ExportOptions } from './pyvene.js';
import { prelude } from './script-common.js';

const ARGS = ['ap.add_argument("--noise-file", default=None, help="explicit noise [samples][subject tokens][d_model] (patchbay trace --save-noise)")'];

/** The trace's setup in Python, shared by both engines: inputs, subject, answer, the result. Needs `N_LAYERS` from
 *  the engine part, and the corruption's FIRST, NOISE and NOISE_REPORT (NOISE_SETUP or REPLACE_SETUP). */
const SETUP = String.raw`
def find_token_range(tokens, text):
    """ROME's find_token_range: the tokens covering the first occurrence of text in the decoded prompt."""
    whole = "".join(tokens)
    at = whole.find(text) if text else -1
    if at < 0:
        sys.exit(f"subject {text!r} does not occur in the prompt {whole!r}")
    loc, begin = 0, -1
    for i, tok in enumerate(tokens):
        loc += len(tok)
        if begin < 0 and loc > at:
            begin = i
        if loc >= at + len(text):
            return [begin, i + 1]
    return [begin, len(tokens)]

def window_layers(layer, window, n):
    """ROME's window of layers around a layer: [max(0, L - w//2), min(n, L - (-w//2)))."""
    return list(range(max(0, layer - window // 2), min(n, layer - (-window // 2))))

T = EXPERIMENT
ids = T["input_ids"] if "input_ids" in T else tokenizer(T["prompt"])["input_ids"]
tokens = token_texts(ids)
S = len(ids)
subject = list(T["subject_range"]) if "subject_range" in T else find_token_range(tokens, T["subject"])
KINDS, WINDOW, SEED = T.get("kinds", ["resid", "mlp", "attn"]), T.get("window", 10), T.get("seed", 1)

def answer_id(clean_probs):
    if T.get("answer_id") is not None:
        return int(T["answer_id"])
    if T.get("answer") is not None:
        a = tokenizer(T["answer"])["input_ids"]
        if len(a) != 1:
            sys.exit(f"answer {T['answer']!r} is {len(a)} tokens; it must be exactly one (e.g. \" Paris\"), or give answer_id")
        return a[0]
    return int(torch.argmax(clean_probs))

def trace_grid(cell_score, low):
    """scores[kind][token][layer]; a token before FIRST (the first corrupted token) is the same in the clean and the
    corrupted run (causal attention), so restoring it changes nothing: it scores low, without a run."""
    return {kind: [[cell_score(kind, t, layer) if t >= FIRST else low for layer in range(N_LAYERS)] for t in range(S)]
            for kind in KINDS}

def trace_result(scores, low, high, answer, engine_version, remote=False):
    finite = lambda v: v if math.isfinite(v) else None
    return {"model": args.model, "tokens": tokens, "input_ids": ids, "subject_range": subject,
            "answer": {"id": answer, "text": tokenizer.decode([answer])}, "low_score": low, "high_score": high,
            "scores": {k: [[finite(v) for v in row] for row in g] for k, g in scores.items()}, "noise": NOISE_REPORT,
            "kinds": KINDS, "window": WINDOW, "samples": int(NOISE.shape[0]), "provenance": provenance(engine_version, remote)}
`.trim().split('\n');

/** Noise on the subject's token embeddings (ROME's corruption): CORRUPT is the prompt itself, FIRST the subject's
 *  first token; `noise_values()` needs `subject_embeddings(id_lists)` and `D_MODEL` from the engine part. */
const NOISE_SETUP = String.raw`
M32 = 0xFFFFFFFF

class PatchbayRng:
    """Patchbay's noise generator (engine/util/random.ts): mulberry32 uniforms, Box-Muller normals."""
    def __init__(self, seed):
        self.state, self.spare = seed & M32, None

    def uniform(self):
        self.state = (self.state + 0x6D2B79F5) & M32
        t = self.state
        t = ((t ^ (t >> 15)) * (t | 1)) & M32
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & M32)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296

    def gaussian(self):
        if self.spare is not None:
            s, self.spare = self.spare, None
            return s
        u, v = 1 - self.uniform(), self.uniform()
        r = math.sqrt(-2 * math.log(u))
        self.spare = r * math.sin(2 * math.pi * v)
        return r * math.cos(2 * math.pi * v)

CORRUPT, FIRST, NOISED = ids, subject[0], True

def noise_values():
    """[samples, subject tokens, d_model]: explicit (--noise-file, or the document's noise_values), else generated."""
    n_tok = subject[1] - subject[0]
    explicit = T.get("noise_values")
    if args.noise_file:
        with open(args.noise_file) as f:
            explicit = json.load(f)
    if explicit is not None:
        arr = np.array(explicit["values"] if isinstance(explicit, dict) else explicit, dtype=np.float32)
        if arr.ndim != 3 or arr.shape[1:] != (n_tok, D_MODEL):
            sys.exit(f"explicit noise has shape {list(arr.shape)}; expected [samples, {n_tok}, {D_MODEL}]")
        return arr, {"kind": "explicit", "spec": None, "scale": None, "embedding_std": None, "std_subjects": None,
                     "seed": None, "generator": None, "shape": list(arr.shape)}
    spec, uniform, std, std_subjects = T.get("noise", "s3"), bool(T.get("uniform")), None, None
    text = str(spec).strip()
    if text.startswith("s"):
        std_subjects = T.get("noise_subjects") or ([T["subject"]] if "subject" in T else None)
        # ROME tokenizes each subject on its own to estimate the std of its token embeddings (unbiased, like torch)
        std_ids = [tokenizer(s)["input_ids"] for s in std_subjects] if std_subjects else [ids[subject[0]:subject[1]]]
        std = float(torch.cat([e.double().flatten() for e in subject_embeddings(std_ids)]).std())
        scale = float(text[1:] or 1) * std
    elif text.startswith("u"):
        scale, uniform = float(text[1:]), True
    else:
        scale = float(spec)
    rng = PatchbayRng(SEED)
    draw = (lambda: rng.uniform() * 2 - 1) if uniform else rng.gaussian
    count = int(T.get("samples", 10)) * n_tok * D_MODEL
    arr = np.array([scale * draw() for _ in range(count)], dtype=np.float32).reshape(-1, n_tok, D_MODEL)
    return arr, {"kind": "uniform" if uniform else "gaussian", "spec": spec, "scale": scale, "embedding_std": std,
                 "std_subjects": std_subjects if std is not None else None, "seed": SEED,
                 "generator": "Patchbay's mulberry32 uniforms + Box-Muller normals, ported to Python, row-major [sample][token][feature]",
                 "shape": list(arr.shape)}
`.trim().split('\n');

/** Symmetric token replacement (causalTrace's replaceWith / replaceIds): the corrupted run reads the replacement
 *  prompt, one row, no noise; FIRST is the first token where it differs from the prompt (the noise report as
 *  Patchbay writes it for a replacement trace). */
const REPLACE_SETUP = String.raw`
def replacement_ids():
    """The replacement prompt's token ids; it must have the prompt's token length."""
    if "replace_ids" in T:
        rep = [int(i) for i in T["replace_ids"]]
    else:
        rep = tokenizer(T["replace_with"])["input_ids"]
    if len(rep) != S:
        what = f"{T['replace_with']!r}" if "replace_with" in T else "replace_ids"
        sys.exit(f"the replacement prompt {what} has {len(rep)} tokens with this model's tokenizer; the prompt has {S}: "
                 "choose a replacement of the same token length (e.g. a subject of as many tokens)")
    return rep

CORRUPT = replacement_ids()
FIRST = next((i for i in range(S) if ids[i] != CORRUPT[i]), S)
NOISED = False

def noise_values():
    """No noise: one corrupted row, the replacement prompt's run."""
    return np.zeros((1, 0, D_MODEL), dtype=np.float32), {
        "kind": "replace", "spec": None, "scale": None, "embedding_std": None, "std_subjects": None, "seed": None,
        "generator": None, "shape": [1, 0, D_MODEL], "replace_ids": CORRUPT}
`.trim().split('\n');

const PYVENE_PART = String.raw`
COMPONENT = {"resid": "block_output", "mlp": "mlp_output", "attn": "attention_output"}
N_LAYERS, D_MODEL = model.config.num_hidden_layers, model.get_input_embeddings().weight.shape[1]

def subject_embeddings(id_lists):
    with torch.no_grad():
        return [model.get_input_embeddings()(torch.tensor(i, device=device)).cpu() for i in id_lists]

NOISE, NOISE_REPORT = noise_values()
R = NOISE.shape[0]

class FixedNoise(pv.ConstantSourceIntervention, pv.LocalistRepresentationIntervention):
    """Adds this trace's noise at the subject tokens (pyvene's NoiseIntervention draws its own). At layer 0's
    block_input, embedding + noise + position = embedding + position + noise: ROME's noise on the token embedding."""
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.register_buffer("noise", torch.from_numpy(NOISE))

    def forward(self, base, source=None, subspaces=None, **kwargs):
        return base + self.noise.to(base.device, base.dtype)  # base [samples, subject tokens, d_model]

corrupt_in = {"input_ids": torch.tensor([CORRUPT] * R, device=device)}  # the noised rows, or the replacement prompt
clean_in = {"input_ids": torch.tensor([ids] * R, device=device)}
subject_units = [list(range(subject[0], subject[1]))] * R
noise_rep = pv.RepresentationConfig(layer=0, component="block_input", unit="pos",
                                    max_number_of_units=subject[1] - subject[0], intervention_type=FixedNoise)
NOISE_REPS, NOISE_LOCS = ([noise_rep], [(None, subject_units)]) if NOISED else ([], [])

def p_answer(logits):
    return torch.softmax(logits[:, -1].float(), -1).mean(0)

INTERVENABLES = {}

def intervenable_for(sites):
    """The noise (if any) plus an interchange at each (component, layer); one model per set of sites, reused across tokens."""
    if sites not in INTERVENABLES:
        reps = NOISE_REPS + [pv.RepresentationConfig(layer=l, component=c, unit="pos", max_number_of_units=1,
                                                     intervention_type=pv.VanillaIntervention) for c, l in sites]
        INTERVENABLES[sites] = pv.IntervenableModel(pv.IntervenableConfig(representations=reps), model)
        INTERVENABLES[sites].set_device(device)
    return INTERVENABLES[sites]

def corrupted(restore):
    """p(next token) averaged over the corrupted rows, with each (component, layer, token) in restore set to its clean value."""
    if not NOISE_REPS and not restore:
        return p_answer(model(**corrupt_in).logits)  # token replacement, nothing restored: the replacement prompt's run
    intervenable = intervenable_for(tuple((c, l) for c, l, _ in restore))
    locs = NOISE_LOCS + [([[t]] * R, [[t]] * R) for _, _, t in restore]
    sources = [None] * len(NOISE_REPS) + [clean_in] * len(restore)
    _, out = intervenable(corrupt_in, sources, unit_locations={"sources->base": ([s for s, _ in locs], [b for _, b in locs])})
    return p_answer(out.logits)

with torch.no_grad():
    clean = p_answer(model(input_ids=clean_in["input_ids"][:1]).logits)
    answer = answer_id(clean)
    high = float(clean[answer])
    low = float(corrupted([])[answer])

    def cell_score(kind, t, layer):
        layers = [layer] if kind == "resid" else window_layers(layer, WINDOW, N_LAYERS)
        return float(corrupted([(COMPONENT[kind], l, t) for l in layers])[answer])

    scores = trace_grid(cell_score, low)
write(trace_result(scores, low, high, answer, PYVENE_VERSION))
`.trim().split('\n');

const NNSIGHT_PART = String.raw`
def modules():
    if FAMILY == "gpt2":
        t = lm.transformer
        return t.wte, {"resid": list(t.h), "mlp": [b.mlp for b in t.h], "attn": [b.attn for b in t.h]}
    n = lm.gpt_neox
    return n.embed_in, {"resid": list(n.layers), "mlp": [b.mlp for b in n.layers], "attn": [b.attention for b in n.layers]}

EMBED, SITES = modules()
N_LAYERS, D_MODEL = lm.config.num_hidden_layers, lm.config.hidden_size

def subject_embeddings(id_lists):
    out = []
    for i in id_lists:
        with lm.trace(torch.tensor([i]), remote=args.remote):
            e = EMBED.output.save()
        out.append(e[0].detach().cpu())
    return out

NOISE, NOISE_REPORT = noise_values()
R = NOISE.shape[0]
batch = torch.tensor([ids] + [CORRUPT] * R)  # row 0 clean, rows 1.. corrupted: noised (ROME's batch), or the replacement
noise = torch.from_numpy(NOISE)

def first(v):
    return v[0] if isinstance(v, tuple) else v

def corrupted(kind, layers, t):
    """p(next token) averaged over the corrupted rows, with the kind's state at (layers, token t) copied from the clean row."""
    with lm.trace(batch, remote=args.remote):
        if NOISED:
            EMBED.output[1:, subject[0]:subject[1]] += noise.to(EMBED.output.device)
        for l in layers:
            h = first(SITES[kind][l].output)
            h[1:, t] = h[0, t]
        probs = torch.softmax(lm.output.logits[1:, -1].float(), -1).mean(0).save()
    return probs

with torch.no_grad():
    with lm.trace(batch[:1], remote=args.remote):
        clean = torch.softmax(lm.output.logits[0, -1].float(), -1).save()
    answer = answer_id(clean)
    high = float(clean[answer])
    low = float(corrupted("resid", [], 0)[answer])

    def cell_score(kind, t, layer):
        layers = [layer] if kind == "resid" else window_layers(layer, WINDOW, N_LAYERS)
        return float(corrupted(kind, layers, t)[answer])

    scores = trace_grid(cell_score, low)
write(trace_result(scores, low, high, answer, NNSIGHT_VERSION, args.remote))
`.trim().split('\n');

export function exportTrace(doc: TraceDocument, target: 'pyvene' | 'nnsight', opts: ExportOptions = {}): string {
  const model = opts.hfModel ?? pytorchModelFor(doc.model ?? 'gpt2');
  const head = { engine: target, model, patchbayModel: doc.model ?? null, doc };
  const replaced = doc.replace_with !== undefined || doc.replace_ids !== undefined;
  const args = replaced ? [] : ARGS;
  const setup = [...SETUP, '', ...(replaced ? REPLACE_SETUP : NOISE_SETUP), ''];
  const lines = target === 'pyvene'
    ? [...prelude(head, ['import pyvene as pv'], args), ...PYVENE_LOAD, ...setup, ...PYVENE_PART]
    : [...prelude(head, ['import nnsight', 'from nnsight import LanguageModel'], args), ...NNSIGHT_LOAD, ...setup, ...NNSIGHT_PART];
  return `${lines.join('\n')}\n`;
}
