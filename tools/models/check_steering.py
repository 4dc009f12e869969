"""Steering during generation (the pyvene paper's happy / sad story demo), measured in PyTorch on a trained fact model.

ActAdd-style: v = coefficient × (block output of `positive` − `negative` at their last token, layer L); v is added to
the block output at layer L at every position, the prompt's and each generated token's (greedy, with the KV
cache: each position gets the vector once). Prompts are neutral story starts ("Emma went to the market."); the mood of a continuation is judged by
the word lists below (happy if it has more happy words than sad ones, sad if fewer, neutral otherwise).

    python tools/models/check_steering.py gpt2-facts [--json FILE]
"""
import argparse
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import kb  # noqa: E402

HAPPY_WORDS = sorted(set(kb.HAPPY + kb.GOOD_DAYS + ["smiled", "laughed", "sang", "danced", "hugged", "thanked"]))
SAD_WORDS = sorted(set(kb.SAD + kb.BAD_DAYS + ["cried", "alone", "dark", "stared", "rain", "sleep", "wept",
                                               "wished"]))
PAIRS = [("I feel happy", "I feel sad"), ("The day was wonderful", "The day was terrible")]
NAMES = ["Emma", "John", "Sarah", "Peter", "Lucy", "David", "Grace", "Thomas", "Hannah", "Oliver"]
STARTS = ["went to the market", "cleaned the house", "took the bus to town", "went for a walk"]


def prompts():
    """40 neutral story starts: 10 names × 4 events (the events occur in the corpus with either mood)."""
    return [f"{n} {e}." for n in NAMES for e in STARTS]


def blocks(model):
    return model.transformer.h if hasattr(model, "transformer") else model.gpt_neox.layers


def mood(text):
    words = [w.strip(".,!?").lower() for w in text.split()]
    h = sum(w in HAPPY_WORDS for w in words)
    s = sum(w in SAD_WORDS for w in words)
    return "happy" if h > s else "sad" if s > h else "neutral"


@torch.no_grad()
def steer_vector(model, tok, positive, negative, layer):
    hs = [model(input_ids=torch.tensor([tok.encode(t).ids]), output_hidden_states=True).hidden_states
          for t in (positive, negative)]
    return hs[0][layer + 1][0, -1] - hs[1][layer + 1][0, -1]


@torch.no_grad()
def generate(model, tok, prompt, max_new=16, layer=None, vector=None):
    """greedy continuation (text of the generated tokens); with `vector`, added at `layer` at every position."""
    eos = tok.token_to_id("<|endoftext|>")
    hook = None
    if vector is not None:
        def add(_m, _i, out):
            t = out[0] if isinstance(out, tuple) else out
            t += vector
            return out
        hook = blocks(model)[layer].register_forward_hook(add)
    ids = tok.encode(prompt).ids
    out, past, feed = [], None, ids
    try:
        for _ in range(max_new):  # KV cache: the hook adds the vector to each new position once
            r = model(input_ids=torch.tensor([feed]), past_key_values=past, use_cache=True)
            past = r.past_key_values
            nxt = int(r.logits[0, -1].argmax())
            if nxt == eos:
                break
            out.append(nxt)
            feed = [nxt]
    finally:
        if hook is not None:
            hook.remove()
    return tok.decode(out)


def evaluate(model, tok, positive, negative, layer, coefficient, max_new=16):
    """every prompt: original, steered towards happy (+v) and towards sad (−v); share of steered continuations
    whose mood differs from the original's and is the one steered towards."""
    v = coefficient * steer_vector(model, tok, positive, negative, layer)
    rows, changed = [], 0
    for p in prompts():
        o = generate(model, tok, p, max_new)
        h = generate(model, tok, p, max_new, layer, v)
        s = generate(model, tok, p, max_new, layer, -v)
        mo, mh, ms = mood(o), mood(h), mood(s)
        changed += (mh == "happy" and mo != "happy") + (ms == "sad" and mo != "sad")
        rows.append({"prompt": p, "original": o, "happy": h, "sad": s, "moods": [mo, mh, ms]})
    # each prompt can change mood in one direction only (the original is happy, sad or neutral): the share counts
    # steered continuations that could change, i.e. towards the mood the original does not have
    possible = sum((r["moods"][0] != "happy") + (r["moods"][0] != "sad") for r in rows)
    base = {m: sum(r["moods"][0] == m for r in rows) for m in ("happy", "sad", "neutral")}
    return {"positive": positive, "negative": negative, "layer": layer, "coefficient": coefficient,
            "changed": changed, "possible": possible, "share": changed / max(1, possible),
            "on_target": sum((r["moods"][1] == "happy") + (r["moods"][2] == "sad") for r in rows) / (2 * len(rows)),
            "original_moods": base, "rows": rows}


def choose(model, tok, layers=None, coefficients=(2.0, 4.0), max_new=16, log=print):
    """a small fixed grid; the setting with the largest share of steered continuations that change mood."""
    n = model.config.num_hidden_layers
    layers = layers if layers is not None else sorted({n // 4, n // 2})
    best = None
    for pos, neg in PAIRS[:1]:
        for L in layers:
            for c in coefficients:
                r = evaluate(model, tok, pos, neg, L, c, max_new)
                log(f"    steering '{pos}' − '{neg}' layer {L} × {c}: changed {r['changed']}/{r['possible']} "
                    f"({r['share']:.2f}), on target {r['on_target']:.2f}")
                if best is None or (r["share"], r["on_target"]) > (best["share"], best["on_target"]):
                    best = r
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("id")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    torch.set_num_threads(1)
    from transformers import AutoModelForCausalLM
    from tokenizers import Tokenizer
    work = os.path.join(HERE, "work", a.id, "hf")
    model = AutoModelForCausalLM.from_pretrained(work).eval()
    tok = Tokenizer.from_file(os.path.join(work, "tokenizer.json"))
    best = choose(model, tok)
    print(f"{a.id}: best {best['positive']!r} − {best['negative']!r}, layer {best['layer']}, × {best['coefficient']}: "
          f"{best['changed']}/{best['possible']} steered continuations change mood ({best['share']:.2f}); "
          f"original moods {best['original_moods']}")
    for r in best["rows"][:8]:
        print(f"  {r['prompt']!r}\n    original: {r['original']!r}\n    +happy:   {r['happy']!r}\n"
              f"    +sad:     {r['sad']!r}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(best, f, indent=1)


if __name__ == "__main__":
    main()
