"""Export a trained fact model and write its bundle to public/models/<id>/.

Files: onnx/model.onnx, config.json, tokenizer.json, tokenizer_config.json, reference.json, patchbay.json.
Checks (fail loudly): hook sites vs the fixtures (check_sites.py); onnxruntime vs PyTorch logits within 1e-4 with
an empty past, with batch 2 and a left-padded attention mask, and for one cached decode step.
"""
import json
import os
import shutil
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

import check_sites  # noqa: E402
from export_onnx import export  # noqa: E402
from check_trace import subject_span  # noqa: E402  (token range [a, b) of the subject)

TOL = 1e-4
EDITION = int(os.environ.get("MODELS_EDITION", "1"))  # see build_lm.EDITIONS
DISPLAY = {"gpt2": "GPT-2", "gpt_neox": "Pythia (GPT-NeoX)"}
TASK_NAMES = {"landmark_city": "landmark → city", "landmark_country": "landmark → country",
              "capital": "country → capital", "language": "country → language",
              "profession": "person → profession", "sport": "person → sport", "pronoun": "name → pronoun"}


def log(*a):
    print(*a, flush=True)


def load(mid):
    from transformers import AutoModelForCausalLM
    from tokenizers import Tokenizer
    work = os.path.join(HERE, "work", mid)
    model = AutoModelForCausalLM.from_pretrained(os.path.join(work, "hf"), attn_implementation="sdpa")
    model.eval()
    tok = Tokenizer.from_file(os.path.join(work, "hf", "tokenizer.json"))
    facts = json.load(open(os.path.join(work, "facts.json")))
    stats = json.load(open(os.path.join(work, "training.json")))
    return model, tok, facts, stats


@torch.no_grad()
def next_probs(model, ids):
    return torch.softmax(model(input_ids=torch.tensor([ids])).logits[0, -1], -1)


def r6(x):
    return np.round(np.asarray(x, dtype=np.float64), 6).tolist()


# ----------------------------------------------------------------------------------------------------------------
@torch.no_grad()
def ort_check(model, family, path, tok, prompts):
    import onnxruntime as ort
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    cfg = model.config
    H, L = cfg.num_attention_heads, cfg.num_hidden_layers
    Dh = cfg.hidden_size // H
    names = [i.name for i in sess.get_inputs()]

    def run(ids, mask, pos, past=None):
        B = ids.shape[0]
        feeds = {"input_ids": ids, "attention_mask": mask, "position_ids": pos}
        for i in range(L):
            for kv in ("key", "value"):
                feeds[f"past_key_values.{i}.{kv}"] = (past[f"present.{i}.{kv}"] if past is not None else
                                                      np.zeros((B, H, 0, Dh), np.float32))
        outs = sess.run(None, {n: feeds[n] for n in names})
        return dict(zip([o.name for o in sess.get_outputs()], outs))

    worst = {}
    # 1. one prompt, empty past
    ids = np.array([tok.encode(prompts[0]).ids], np.int64)
    S = ids.shape[1]
    mask, pos = np.ones_like(ids), np.arange(S, dtype=np.int64)[None]
    o = run(ids, mask, pos)
    ref = model(input_ids=torch.tensor(ids)).logits.numpy()
    worst["empty past"] = float(np.abs(o["logits"] - ref).max())
    # 2. batch 2, left padding, position_ids as transformers.js computes them
    a, b = tok.encode(prompts[1]).ids, tok.encode(prompts[2]).ids
    S = max(len(a), len(b))
    ids = np.zeros((2, S), np.int64)
    mask = np.zeros((2, S), np.int64)
    for r, t in enumerate((a, b)):
        ids[r, S - len(t):] = t
        mask[r, S - len(t):] = 1
    pos = np.cumsum(mask, -1) - 1
    pos[mask == 0] = 1
    o2 = run(ids, mask, pos)
    ref2 = model(input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask),
                 position_ids=torch.tensor(pos)).logits.numpy()
    real = mask.astype(bool)
    worst["batch 2, padded mask"] = float(np.abs(o2["logits"][real] - ref2[real]).max())
    for r, t in enumerate((a, b)):  # and each row equals the unpadded single run
        single = model(input_ids=torch.tensor([t])).logits.numpy()[0]
        worst[f"padded row {r} vs unpadded"] = float(np.abs(o2["logits"][r, S - len(t):] - single).max())
    # 3. one cached decode step after the padded batch
    nxt = o2["logits"][:, -1].argmax(-1)[:, None].astype(np.int64)
    mask3 = np.concatenate([mask, np.ones((2, 1), np.int64)], 1)
    pos3 = (pos[:, -1:] + 1)
    o3 = run(nxt, mask3, pos3, past=o2)
    full = np.concatenate([ids, nxt], 1)
    fpos = np.cumsum(mask3, -1) - 1
    fpos[mask3 == 0] = 1
    ref3 = model(input_ids=torch.tensor(full), attention_mask=torch.tensor(mask3),
                 position_ids=torch.tensor(fpos)).logits.numpy()[:, -1:]
    worst["cached decode step"] = float(np.abs(o3["logits"] - ref3).max())
    for k, v in worst.items():
        log(f"    onnxruntime vs PyTorch, {k}: max |diff| = {v:.2e}")
        assert v < TOL, f"onnxruntime differs from PyTorch ({k}): {v}"
    return worst


# ----------------------------------------------------------------------------------------------------------------
def choose_traces(model, tok, facts):
    """10-30 fact prompts the model gets right with confidence, several per task, multi-token subjects first."""
    want = {"landmark_city": 6, "landmark_country": 3, "capital": 3, "language": 2, "profession": 4, "sport": 4,
            "pronoun": 2}
    must = {"Eiffel Tower", "Colosseum", "Sarah"}
    scored = []
    for f in facts:
        ids = tok.encode(f["prompt"]).ids
        p = next_probs(model, ids)
        ans = tok.encode(f["answer"]).ids[0]
        if int(p.argmax()) != ans:
            continue
        n_sub = len(tok.encode(" " + f["subject"]).ids)
        scored.append((f["subject"] not in must, -min(n_sub, 4), -float(p[ans]), f))
    scored.sort(key=lambda x: x[:3])
    out, count, seen = [], {}, set()
    for _, _, _, f in scored:
        t = f["task"]
        if count.get(t, 0) >= want[t] or (f["subject"], t) in seen or (f["answer"], t) in seen:
            continue
        if t == "landmark_country" and any(o["subject"] == f["subject"] for o in out):
            continue
        count[t] = count.get(t, 0) + 1
        seen.add((f["subject"], t))
        seen.add((f["answer"], t))
        out.append(f)
    order = list(want)
    out.sort(key=lambda f: (order.index(f["task"]), f["subject"] not in must))
    return [{"name": f"{f['subject']} → {f['answer'].strip()}", "prompt": f["prompt"], "subject": f["subject"],
             "answer": f["answer"], "task": f["task"]} for f in out]


@torch.no_grad()
def block_outputs(model, ids):
    out = model(input_ids=torch.tensor([ids]), output_hidden_states=True)
    return out.hidden_states  # embeddings, then block outputs (the last one after the final LN in HF)


def blocks(model):
    return model.transformer.h if hasattr(model, "transformer") else model.gpt_neox.layers


@torch.no_grad()
def patched_prob(model, base_ids, src_ids, layer, pos_base, pos_src, answer):
    """p(answer) on base after replacing block `layer`'s output at pos_base with the source run's value."""
    src = {}

    def grab(_m, _i, out):
        src["v"] = (out[0] if isinstance(out, tuple) else out)[0, pos_src].clone()

    h = blocks(model)[layer].register_forward_hook(grab)
    model(input_ids=torch.tensor([src_ids]))
    h.remove()

    def put(_m, _i, out):
        t = out[0] if isinstance(out, tuple) else out
        t[0, pos_base] = src["v"]
        return out

    h = blocks(model)[layer].register_forward_hook(put)
    p = next_probs(model, base_ids)
    h.remove()
    return float(p[answer])


@torch.no_grad()
def choose_patching(model, tok, facts, traces):
    """base/source pairs of equal token length (same subject end) whose answer flips to the source's when the
    block output at the last subject token is patched in; the note names the layers where it works."""
    n = model.config.num_hidden_layers
    out = []
    by_task = {}
    for f in facts:
        by_task.setdefault(f["task"], []).append(f)
    for t in traces:
        if t["task"] not in ("landmark_city", "capital", "profession", "sport", "language"):
            continue
        if any(o["task"] == t["task"] for o in out):
            continue
        base_ids = tok.encode(t["prompt"]).ids
        last_sub = subject_span(tok, t["prompt"], t["subject"])[1] - 1
        best, tried = None, 0
        for f in by_task[t["task"]]:
            src_ids = tok.encode(f["prompt"]).ids
            if f["answer"] == t["answer"] or len(src_ids) != len(base_ids):
                continue
            if subject_span(tok, f["prompt"], f["subject"])[1] - 1 != last_sub:
                continue
            if src_ids[last_sub] == base_ids[last_sub]:  # the app finds the site as the last differing token
                continue
            tried += 1
            if EDITION >= 2 and tried > 12:  # a small fixed search: every person prompt has the same length there
                break
            ans = tok.encode(f["answer"]).ids[0]
            if int(next_probs(model, src_ids).argmax()) != ans:
                continue
            sub = [patched_prob(model, base_ids, src_ids, L, last_sub, last_sub, ans) for L in range(n)]
            last = [patched_prob(model, base_ids, src_ids, L, len(base_ids) - 1, len(base_ids) - 1, ans)
                    for L in range(n)]
            if max(sub) > 0.5 and (best is None or max(sub) > max(best[1])):
                best = (f, sub, last)
        if best is None:
            continue
        f, sub, last = best
        Lb = int(np.argmax(sub))
        fmt = lambda v: ", ".join(f"{x:.2f}" for x in v)  # noqa: E731
        out.append({"name": f"{t['subject']} ← {f['subject']} ({TASK_NAMES[t['task']].split(' → ')[1]})",
                    "base": t["prompt"], "source": f["prompt"],
                    "component": "block_output", "answer": f["answer"], "layer": Lb, "position": last_sub,
                    "task": t["task"],
                    "note": (f"Patch the block output from the source run into the base run at one layer. At the "
                             f"last subject token it carries the subject in the early layers: p({f['answer'].strip()}) "
                             f"by layer = [{fmt(sub)}] (PyTorch); at the last position it only works late: "
                             f"[{fmt(last)}]. Unpatched, the model says {t['answer'].strip()!r}.")})
        if len(out) >= 4:
            break
    return out


@torch.no_grad()
def two_source_probs(model, base_ids, patches, answers):
    """patches: [(src_ids, layer, pos)], applied together to the base run; returns p(answer) per answer."""
    vals = []
    for src_ids, layer, pos in patches:
        got = {}

        def grab(_m, _i, out, got=got, pos=pos):
            got["v"] = (out[0] if isinstance(out, tuple) else out)[0, pos].clone()

        h = blocks(model)[layer].register_forward_hook(grab)
        model(input_ids=torch.tensor([src_ids]))
        h.remove()
        vals.append((layer, pos, got["v"]))
    hooks = []
    for layer, pos, v in vals:
        def put(_m, _i, out, pos=pos, v=v):
            t = out[0] if isinstance(out, tuple) else out
            t[0, pos] = v
            return out
        hooks.append(blocks(model)[layer].register_forward_hook(put))
    p = next_probs(model, base_ids)
    for h in hooks:
        h.remove()
    return [float(p[a]) for a in answers]


@torch.no_grad()
def choose_multi_source(model, tok, facts, traces):
    """one base, two sources: source 1 patched at the last subject token in an early layer, source 2 at the last
    position in a late layer, both at once (the numbers say which one the model follows)."""
    n = model.config.num_hidden_layers
    early, late = 1, n - 2
    out = []
    for task in ("capital", "profession", "sport"):
        pool = [f for f in facts if f["task"] == task]
        for base in pool:
            bi = tok.encode(base["prompt"]).ids
            bsub = subject_span(tok, base["prompt"], base["subject"])[1] - 1
            if int(next_probs(model, bi).argmax()) != tok.encode(base["answer"]).ids[0]:
                continue
            srcs = []
            for f in pool:
                si = tok.encode(f["prompt"]).ids
                if (len(si) != len(bi) or f["answer"] == base["answer"]
                        or subject_span(tok, f["prompt"], f["subject"])[1] - 1 != bsub
                        or si[bsub] == bi[bsub] or any(tok.encode(s["prompt"]).ids[bsub] == si[bsub] for s in srcs)
                        or any(f["answer"] == s["answer"] for s in srcs)
                        or int(next_probs(model, si).argmax()) != tok.encode(f["answer"]).ids[0]):
                    continue
                srcs.append(f)
                if len(srcs) == 2:
                    break
            if len(srcs) < 2:
                continue
            s1, s2 = srcs
            ids1, ids2 = tok.encode(s1["prompt"]).ids, tok.encode(s2["prompt"]).ids
            answers = [tok.encode(x["answer"]).ids[0] for x in (base, s1, s2)]
            both = two_source_probs(model, bi, [(ids1, early, bsub), (ids2, late, len(bi) - 1)], answers)
            only1 = two_source_probs(model, bi, [(ids1, early, bsub)], answers)
            names = [x["answer"].strip() for x in (base, s1, s2)]
            fmt = lambda v: ", ".join(f"{a} {p:.2f}" for a, p in zip(names, v))  # noqa: E731
            out.append({"name": f"{base['subject']} with {s1['subject']} and {s2['subject']}",
                        "base": base["prompt"], "sources": [s1["prompt"], s2["prompt"]],
                        "component": "block_output",
                        "sites": [{"source": 0, "layer": early, "position": "last subject token"},
                                  {"source": 1, "layer": late, "position": "last token"}],
                        "note": (f"Source 1 patched at the last subject token (block output, layer {early}) and "
                                 f"source 2 at the last token (layer {late}), in one run. PyTorch: source 1 alone "
                                 f"gives {fmt(only1)}; both give {fmt(both)}: the model follows "
                                 f"{'source 2, the late patch at the last token' if both[2] > both[1] else 'source 1'}"
                                 f".")})
            break
    return out


@torch.no_grad()
def serial_probs(model, runs, hops, answers):
    """pyvene's serial mode: runs = [source 0, source 1, …, base] ids; hop i = (layer, pos in run i, pos in run
    i+1) reads run i (itself patched by hop i−1) and writes into run i+1. Returns p(answer) per answer on the base."""
    carried = None  # (layer, pos, value) patched into the current run
    for i, ids in enumerate(runs):
        hooks, got = [], {}
        if carried is not None:
            def put(_m, _i, out, c=carried):
                t = out[0] if isinstance(out, tuple) else out
                t[0, c[1]] = c[2]
                return out
            hooks.append(blocks(model)[carried[0]].register_forward_hook(put))
        if i < len(hops):
            layer, p_from, p_to = hops[i]

            def grab(_m, _i, out, p_from=p_from):
                got["v"] = (out[0] if isinstance(out, tuple) else out)[0, p_from].clone()
            hooks.append(blocks(model)[layer].register_forward_hook(grab))
        p = next_probs(model, ids)
        for h in hooks:
            h.remove()
        if i < len(hops):
            carried = (hops[i][0], hops[i][2], got["v"])
    return [float(p[a]) for a in answers]


@torch.no_grad()
def choose_serial(model, tok, facts):
    """source 0 → source 1 → base: source 0's last subject token (early layer) is patched into source 1's run, and
    source 1's last token (late layer), which now carries source 0's fact, into the base's. The same two sources in
    parallel make the base follow source 2; chained, it says source 0's answer."""
    n = model.config.num_hidden_layers
    early, late = 1, n - 2
    out = []
    for task in ("profession", "capital"):
        pool = [f for f in facts if f["task"] == task]
        found = None
        for base in pool[:10]:  # small fixed search: the first chain that carries source 0's fact (> 0.5)
            bi = tok.encode(base["prompt"]).ids
            bsub = subject_span(tok, base["prompt"], base["subject"])[1] - 1
            cands = [f for f in pool if f["answer"] != base["answer"] and len(tok.encode(f["prompt"]).ids) == len(bi)
                     and subject_span(tok, f["prompt"], f["subject"])[1] - 1 == bsub][:6]
            for s0 in cands:
                for s1 in cands:
                    if s1["answer"] in (s0["answer"], base["answer"]):
                        continue
                    ids0, ids1 = tok.encode(s0["prompt"]).ids, tok.encode(s1["prompt"]).ids
                    if ids0[bsub] == ids1[bsub]:  # hop 0's site is found as the last differing token
                        continue
                    answers = [tok.encode(x["answer"]).ids[0] for x in (base, s0, s1)]
                    chain = serial_probs(model, [ids0, ids1, bi], [(early, bsub, bsub), (late, len(bi) - 1, len(bi) - 1)],
                                         answers)
                    if chain[1] > 0.5:
                        par = two_source_probs(model, bi, [(ids0, early, bsub), (ids1, late, len(bi) - 1)], answers)
                        found = (base, s0, s1, chain, par)
                        break
                if found:
                    break
            if found:
                break
        if not found:
            continue
        base, s0, s1, chain, par = found
        names = [x["answer"].strip() for x in (base, s0, s1)]
        fmt = lambda v: ", ".join(f"{a} {p:.2f}" for a, p in zip(names, v))  # noqa: E731
        out.append({"name": f"{s0['subject']} → {s1['subject']} → {base['subject']} (serial)",
                    "base": base["prompt"], "sources": [s0["prompt"], s1["prompt"]], "component": "block_output",
                    "mode": "serial", "answers": [x["answer"] for x in (base, s0, s1)],
                    "sites": [{"source": 0, "layer": early, "position": "last subject token"},
                              {"source": 1, "layer": late, "position": "last token"}],
                    "note": (f"A chain (pyvene's serial mode): source 1's block output at the last subject token "
                             f"(layer {early}) is patched into source 2's run, and source 2's last token (layer {late}), "
                             f"which now carries source 1's fact, into the base. PyTorch: chained, the base gives "
                             f"{fmt(chain)}; the same sites in parallel give {fmt(par)}.")})
    return out[:1]


@torch.no_grad()
def steering_check(model, tok, prompt, positive, negative, layer, coeff=1.0):
    """ActAdd-style: (block output of positive − negative) at the last token, added at every prompt position.
    Returns p(happy words) − p(sad words) before and after."""
    import kb
    happy = [tok.encode(" " + w).ids[0] for w in kb.HAPPY if len(tok.encode(" " + w).ids) == 1]
    sad = [tok.encode(" " + w).ids[0] for w in kb.SAD if len(tok.encode(" " + w).ids) == 1]
    hp = block_outputs(model, tok.encode(positive).ids)[layer + 1][0, -1]
    hn = block_outputs(model, tok.encode(negative).ids)[layer + 1][0, -1]
    delta = coeff * (hp - hn)

    def add(_m, _i, out):
        t = out[0] if isinstance(out, tuple) else out
        t[0] += delta
        return out

    ids = tok.encode(prompt).ids
    p0 = next_probs(model, ids)
    h = blocks(model)[layer].register_forward_hook(add)
    p1 = next_probs(model, ids)
    h.remove()

    def mood(p):
        return float(p[happy].sum()), float(p[sad].sum())

    return mood(p0), mood(p1)


def choose_steering(model, tok):
    """pick, per prompt, the pair / layer / coefficient that moves p(happy words) − p(sad words) most in both
    directions while keeping most probability mass on mood words (a fixed grid, deterministic)."""
    n = model.config.num_hidden_layers
    out = []
    pairs = [("I feel happy", "I feel sad"), ("The day was wonderful", "The day was terrible")]
    for prompt in ["John opened the letter and felt", "At the end of the day, Emma felt"]:
        best = None
        for pos, neg in pairs:
            for layer in range(n - 1):
                for c in (0.5, 1.0, 1.5, 2.0):
                    (h0, s0), (h1, s1) = steering_check(model, tok, prompt, pos, neg, layer, c)
                    (h2, s2) = steering_check(model, tok, prompt, neg, pos, layer, c)[1]
                    if min(h1 + s1, h2 + s2) < 0.5:
                        continue
                    gain = (h1 - s1) - (h2 - s2)
                    if best is None or gain > best[0] + 1e-9:
                        best = (gain, pos, neg, layer, c, (h0, s0, h1, s1, h2, s2))
        if best is None:
            continue
        gain, pos, neg, layer, c, (h0, s0, h1, s1, h2, s2) = best
        out.append({"name": f"{pos.split()[-1]} vs {neg.split()[-1]}: {prompt.split()[0] if prompt[0] != 'A' else 'end of day'}",
                    "prompt": prompt, "positive": pos, "negative": neg, "layer": layer, "coefficient": c,
                    "note": (f"Add {c} × (block output of '{pos}' − '{neg}' at their last token) to the block "
                             f"output at layer {layer}, every position. In PyTorch p(happy words) / p(sad words) "
                             f"go from {h0:.2f} / {s0:.2f} to {h1:.2f} / {s1:.2f}, and with the sign reversed to "
                             f"{h2:.2f} / {s2:.2f}.")})
    return out


def choose_generation(model, tok):
    """steering during generation (check_steering.py): the grid setting whose steered continuations change mood
    most often; the preset keeps one prompt with its three continuations, the note the share over 40 prompts."""
    import check_steering as cs
    best = cs.choose(model, tok, log=log)
    row = next((r for r in best["rows"] if r["moods"] == ["sad", "happy", "sad"]),
               next((r for r in best["rows"] if r["moods"][1:] == ["happy", "sad"]), best["rows"][0]))
    return [{"name": f"happy vs sad while generating: {row['prompt']}", "prompt": row["prompt"],
             "positive": best["positive"], "negative": best["negative"], "layer": best["layer"],
             "coefficient": best["coefficient"], "intervene_on": "both", "max_new_tokens": 16,
             "continuations": {"original": row["original"], "positive": row["happy"], "negative": row["sad"]},
             "note": (f"Add {best['coefficient']} × (block output of '{best['positive']}' − '{best['negative']}' at "
                      f"their last token) to the block output at layer {best['layer']}, at every prompt and generated "
                      f"position, greedy. In PyTorch, over {len(best['rows'])} neutral story starts, "
                      f"{best['changed']} of {best['possible']} steered continuations change to the mood steered "
                      f"towards ({best['share']:.0%}; mood by word lists, see docs/models.md).")}]


# ----------------------------------------------------------------------------------------------------------------
@torch.no_grad()
def package(family, mid, out_root=None):
    torch.set_num_threads(1)
    model, tok, facts, stats = load(mid)
    cfg = model.config
    dest = os.path.join(out_root or os.path.join(ROOT, "public", "models"), mid)
    if os.path.isdir(dest):
        shutil.rmtree(dest)
    onnx_path = os.path.join(dest, "onnx", "model.onnx")
    log(f"[{mid}] exporting {onnx_path}")
    export(model, family, onnx_path, opset=18)

    ok, lines = check_sites.check(onnx_path, family)
    for line in lines:
        if not line.startswith("ok "):
            log("    " + line)
    log(f"    hook sites: {sum(1 for x in lines if x.startswith('ok '))} values checked, "
        f"{'all match the fixture' if ok else 'MISMATCH'}")
    if not ok:
        raise SystemExit(f"[{mid}] hook sites differ from the fixture")

    traces = choose_traces(model, tok, facts)
    ort_check(model, family, onnx_path, tok, [t["prompt"] for t in traces[:3]])

    # config.json: the HF config, plus the 4.x field names for NeoX readers
    cfg_d = cfg.to_dict()
    cfg_d.pop("_name_or_path", None)  # a local path: not part of the model
    if family == "gpt_neox":
        rope = cfg_d.get("rope_parameters") or {}
        cfg_d.setdefault("rotary_pct", rope.get("partial_rotary_factor", 0.25))
        cfg_d.setdefault("partial_rotary_factor", rope.get("partial_rotary_factor", 0.25))
        cfg_d.setdefault("rotary_emb_base", int(rope.get("rope_theta", 10000)))
        cfg_d.setdefault("rope_theta", rope.get("rope_theta", 10000.0))
    cfg_d["architectures"] = [type(model).__name__]
    with open(os.path.join(dest, "config.json"), "w") as f:
        json.dump(cfg_d, f, indent=2, sort_keys=True)
        f.write("\n")
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(HERE, "work", mid, "hf", name), os.path.join(dest, name))

    # reference.json
    ref = {"note": (f"PyTorch ({type(model).__name__}, transformers) logits for the bundled {mid} model: "
                    "last-position logits for every trace preset (no padding, empty past), and the full logits "
                    "[2, seq, vocab] of two prompts of equal token length. Floats rounded to 6 decimals."),
           "prompts": []}
    with torch.no_grad():
        for t in traces:
            ids = tok.encode(t["prompt"]).ids
            lg = model(input_ids=torch.tensor([ids])).logits[0, -1]
            ref["prompts"].append({"text": t["prompt"], "input_ids": ids, "last_logits": r6(lg)})
        lens = {}
        for t in traces:
            lens.setdefault(len(tok.encode(t["prompt"]).ids), []).append(t["prompt"])
        pair = next(v[:2] for k, v in sorted(lens.items(), key=lambda kv: -len(kv[1])) if len(v) >= 2)
        ids = [tok.encode(p).ids for p in pair]
        lg = model(input_ids=torch.tensor(ids)).logits
        ref["full"] = {"texts": pair, "input_ids": ids, "logits": r6(lg)}
    with open(os.path.join(dest, "reference.json"), "w") as f:
        json.dump(ref, f, separators=(",", ":"))

    n_params = sum(p.numel() for p in model.parameters())
    H = cfg.num_attention_heads
    d = cfg.hidden_size
    d_mlp = cfg.n_inner if family == "gpt2" and cfg.n_inner else (4 * d if family == "gpt2" else
                                                                   cfg.intermediate_size)
    acc = {TASK_NAMES[k]: round(v, 4) for k, v in stats["accuracy"].items()}
    import kb
    manifest = {
        "format": 1,
        "id": mid,
        "display_name": f"{DISPLAY[family]} facts ({cfg.num_hidden_layers} layers, d {d})",
        "description": (f"A small {type(model).__name__} trained from scratch on a synthetic corpus of facts "
                        "(landmarks → city and country, countries → capital and language, invented people → "
                        "profession or sport, names → pronouns) and short happy or sad stories. Built for causal "
                        "tracing, activation patching and steering demos; see docs/models.md."),
        "family": family,
        "files": {"model": "onnx/model.onnx", "config": "config.json", "tokenizer": "tokenizer.json",
                  "reference": "reference.json"},
        "facts": {"layers": cfg.num_hidden_layers, "d_model": d, "heads": H, "d_head": d // H, "d_mlp": d_mlp,
                  "vocab": cfg.vocab_size, "context": 128, "params": n_params,
                  "bytes": os.path.getsize(onnx_path)},
        "training": {"steps": stats["steps"], "seconds": stats["seconds"], "accuracy": acc},
        # the gender case study's names (tools/das/pronoun_pairs.py, the app's Probe vs DAS view)
        "name_lists": {"male": kb.MALE, "female": kb.FEMALE},
        "presets": {
            "traces": [{k: t[k] for k in ("name", "prompt", "subject", "answer")} for t in traces],
            "patching": [{k: v for k, v in p.items() if k != "task"} for p in
                         choose_patching(model, tok, facts, traces)],
            "multi_source": choose_multi_source(model, tok, facts, traces) + choose_serial(model, tok, facts),
            "steering": choose_steering(model, tok),
            "generation": choose_generation(model, tok),
        },
    }
    with open(os.path.join(dest, "patchbay.json"), "w") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
        f.write("\n")
    log(f"[{mid}] wrote {dest}: model {os.path.getsize(onnx_path):,} B, "
        f"{len(traces)} trace presets, {len(manifest['presets']['patching'])} patching presets")
    return manifest
