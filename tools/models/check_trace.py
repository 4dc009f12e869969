"""Causal tracing (Meng et al. 2022) on the trained fact models, in PyTorch, as ROME's code does it.

For each trace preset: Gaussian noise (3 × the std of the subject-token embeddings, a fixed seed, the same 10
samples for every cell) is added to the embeddings of the subject tokens (GPT-2: the wte output, before position
embeddings; NeoX: embed_in). Each cell (token, layer) restores the clean block output at that token and layer in
the corrupted runs; the score is p(answer) at the last position averaged over the 10 corrupted rows.
The indirect effect of a cell is score − low_score (nothing restored). Tokens are grouped as in the paper: first,
middle and last subject token, first subsequent token, further tokens, last token.

    python tools/models/check_trace.py gpt2-facts [--all-facts] [--png docs/img/trace-gpt2-facts.png]

Prints the average indirect effect per group and layer, and whether the pattern holds: in early and middle
layers the last subject token has the largest effect, in late layers the last token.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

GROUPS = ["first subject token", "middle subject tokens", "last subject token", "first subsequent token",
          "further tokens", "last token"]


def parts(model):
    if hasattr(model, "transformer"):
        return model.transformer.wte, model.transformer.h
    return model.gpt_neox.embed_in, model.gpt_neox.layers


def subject_span(tok, prompt, subject):
    enc = tok.encode(prompt)
    start = prompt.index(subject)
    end = start + len(subject)
    toks = [i for i, (s, e) in enumerate(enc.offsets) if e > start and s < end]
    return toks[0], toks[-1] + 1


@torch.no_grad()
def noise_level(model, tok, items, factor=3.0):
    emb, _ = parts(model)
    vals = []
    for it in items:
        ids = tok.encode(it["prompt"]).ids
        b, e = subject_span(tok, it["prompt"], it["subject"])
        vals.append(emb(torch.tensor(ids[b:e])).reshape(-1))
    return factor * float(torch.cat(vals).std())


@torch.no_grad()
def trace(model, ids, span, answer, noise, samples=10, seed=1):
    """returns (scores [T, L], low, high)"""
    emb, blocks = parts(model)
    T, n = len(ids), len(blocks)
    b, e = span
    D = model.config.hidden_size
    eps = torch.from_numpy(np.random.RandomState(seed).randn(samples, e - b, D)).float() * noise
    clean = {}

    def keep(L):
        def f(_m, _i, out):
            clean[L] = (out[0] if isinstance(out, tuple) else out)[0].clone()
        return f

    hs = [blk.register_forward_hook(keep(L)) for L, blk in enumerate(blocks)]
    high = float(torch.softmax(model(input_ids=torch.tensor([ids])).logits[0, -1], -1)[answer])
    for h in hs:
        h.remove()

    def corrupt(reps):
        def f(_m, _i, out):
            out = out.clone()
            out[:, b:e] += eps.repeat(reps, 1, 1)
            return out
        return f

    # nothing restored
    h = emb.register_forward_hook(corrupt(1))
    low = float(torch.softmax(model(input_ids=torch.tensor([ids] * samples)).logits[:, -1], -1)[:, answer].mean())
    h.remove()
    scores = np.zeros((T, n))
    x = torch.tensor([ids] * (samples * T))
    for L in range(n):
        def restore(_m, _i, out, L=L):
            t = out[0] if isinstance(out, tuple) else out
            for tok_i in range(T):
                t[tok_i * samples:(tok_i + 1) * samples, tok_i] = clean[L][tok_i]
            return out
        h1 = emb.register_forward_hook(corrupt(T))
        h2 = blocks[L].register_forward_hook(restore)
        p = torch.softmax(model(input_ids=x).logits[:, -1], -1)[:, answer]
        h1.remove()
        h2.remove()
        scores[:, L] = p.view(T, samples).mean(1).numpy()
    return scores, low, high


def group_rows(T, span):
    b, e = span
    g = {k: [] for k in GROUPS}
    if e - b >= 2:
        g["first subject token"] = [b]
    g["middle subject tokens"] = list(range(b + 1, e - 1))
    g["last subject token"] = [e - 1]
    if e < T - 1:
        g["first subsequent token"] = [e]
    g["further tokens"] = list(range(e + 1, T - 1))
    g["last token"] = [T - 1]
    return g


def run(mid, items, model, tok):
    noise = noise_level(model, tok, items)
    n = model.config.num_hidden_layers
    sums = {k: np.zeros(n) for k in GROUPS}
    counts = {k: 0 for k in GROUPS}
    per_prompt = []
    task_sums = {}
    lead_counts = {}
    for it in items:
        ids = tok.encode(it["prompt"]).ids
        span = subject_span(tok, it["prompt"], it["subject"])
        ans = tok.encode(it["answer"]).ids[0]
        scores, low, high = trace(model, ids, span, ans, noise)
        per_prompt.append({"prompt": it["prompt"], "low": low, "high": high})
        task = it.get("task") or "?"
        ts = task_sums.setdefault(task, {"n": 0, "last subject token": np.zeros(n), "last token": np.zeros(n)})
        ts["n"] += 1
        mine = {k: scores[rows].mean(0) - low for k, rows in group_rows(len(ids), span).items() if rows}
        for L in range(n):
            leader = max(mine, key=lambda k: mine[k][L])
            lead_counts.setdefault(leader, np.zeros(n))[L] += 1
        for k, rows in group_rows(len(ids), span).items():
            if rows:
                sums[k] += scores[rows].mean(0) - low
                counts[k] += 1
                if k in ts:
                    ts[k] += scores[rows].mean(0) - low
    aie = {k: (sums[k] / counts[k]).tolist() if counts[k] else None for k in GROUPS}
    by_task = {t: {"n": v["n"], "last subject token": (v["last subject token"] / v["n"]).tolist(),
                   "last token": (v["last token"] / v["n"]).tolist()} for t, v in sorted(task_sums.items())}
    lead_frac = {k: (lead_counts[k] / len(items)).tolist() for k in GROUPS if k in lead_counts}
    return {"noise": noise, "n": len(items), "aie": aie, "counts": counts, "by_task": by_task,
            "prompts_led_by": lead_frac,
            "mean_low": float(np.mean([p["low"] for p in per_prompt])),
            "mean_high": float(np.mean([p["high"] for p in per_prompt]))}


def verdict(res, n):
    """early and middle layers (the first two thirds): last subject token largest; late layers: last token."""
    aie = res["aie"]
    lead = []
    for L in range(n):
        best = max((k for k in GROUPS if aie[k] is not None), key=lambda k: aie[k][L])
        lead.append(best)
    split = (2 * n + 2) // 3  # 6 layers: 0-3 early/middle, 4-5 late
    early_ok = all(lead[L] == "last subject token" for L in range(split))
    late_ok = all(lead[L] == "last token" for L in range(split, n))
    return lead, split, early_ok, late_ok


def plot(res, n, title, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = [k for k in GROUPS if res["aie"][k] is not None]
    M = np.array([res["aie"][k] for k in rows])
    fig, ax = plt.subplots(figsize=(1.1 + 0.55 * n, 3.0), dpi=120)
    im = ax.imshow(M, cmap="Purples", aspect="auto", vmin=0)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([("*" if "subject" in r else "") + r for r in rows], fontsize=8)
    ax.set_xticks(range(n))
    ax.set_xlabel("layer (block output restored)", fontsize=8)
    for i in range(len(rows)):
        for j in range(n):
            ax.text(j, i, f"{M[i, j]:.2f}", ha="center", va="center", fontsize=6,
                    color="white" if M[i, j] > 0.6 * M.max() else "black")
    ax.set_title(title, fontsize=9)
    cb = fig.colorbar(im, ax=ax)
    cb.set_label("avg indirect effect on p(answer)", fontsize=7)
    cb.ax.tick_params(labelsize=7)
    fig.tight_layout()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("id")
    ap.add_argument("--all-facts", action="store_true", help="also trace every fact prompt the model gets right")
    ap.add_argument("--png", default=None)
    ap.add_argument("--json", default=None)
    ap.add_argument("--models", default=os.path.join(ROOT, "public", "models"), help="bundle folder with patchbay.json")
    a = ap.parse_args()
    torch.set_num_threads(1)
    from transformers import AutoModelForCausalLM
    from tokenizers import Tokenizer
    work = os.path.join(HERE, "work", a.id)
    model = AutoModelForCausalLM.from_pretrained(os.path.join(work, "hf"), attn_implementation="eager").eval()
    tok = Tokenizer.from_file(os.path.join(work, "hf", "tokenizer.json"))
    manifest = json.load(open(os.path.join(a.models, a.id, "patchbay.json")))
    n = model.config.num_hidden_layers
    out = {}
    sets = [("trace presets", manifest["presets"]["traces"])]
    if a.all_facts:
        facts = json.load(open(os.path.join(work, "facts.json")))
        right = []
        with torch.no_grad():
            for f in facts:
                ids = tok.encode(f["prompt"]).ids
                if int(model(input_ids=torch.tensor([ids])).logits[0, -1].argmax()) == tok.encode(f["answer"]).ids[0]:
                    right.append(f)
        sets.append(("all fact prompts answered correctly", right))
    for name, items in sets:
        res = run(a.id, items, model, tok)
        lead, split, early_ok, late_ok = verdict(res, n)
        res.update({"lead": lead, "early_middle_layers": list(range(split)), "late_layers": list(range(split, n)),
                    "early_middle_last_subject_leads": early_ok, "late_last_token_leads": late_ok})
        out[name] = res
        print(f"{a.id}: causal trace over {res['n']} {name} (noise {res['noise']:.3f}, "
              f"p(answer) clean {res['mean_high']:.3f}, corrupted {res['mean_low']:.3f})")
        print("  average indirect effect (restored − corrupted p(answer)), by layer:")
        for k in GROUPS:
            if res["aie"][k] is not None:
                print(f"    {k:24s} " + " ".join(f"{v:6.3f}" for v in res["aie"][k]) + f"   (n={res['counts'][k]})")
        print(f"  leading group per layer: {lead}")
        print("  share of prompts whose largest effect is at ..., by layer:")
        for k, v in res["prompts_led_by"].items():
            print(f"    {k:24s} " + " ".join(f"{x:6.2f}" for x in v))
        if len(res["by_task"]) > 1:
            print("  by task: last subject token / last token")
            for t, v in res["by_task"].items():
                print(f"    {t:18s} n={v['n']:3d}  " + "  ".join(
                    f"{a:5.2f}/{b:4.2f}" for a, b in zip(v["last subject token"], v["last token"])))
        print(f"  early/middle layers {list(range(split))}: last subject token leads: {early_ok}; "
              f"late layers {list(range(split, n))}: last token leads: {late_ok}")
    if a.png:
        plot(out["trace presets"], n, f"{a.id}: causal trace, avg over {out['trace presets']['n']} presets",
             a.png)
        print(f"  figure: {a.png}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
