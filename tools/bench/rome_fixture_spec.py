"""Writes a causal-trace spec for tools/bench/rome_reference.py for an exporter-made fixture with random weights
(../shared/testdata/onnx-real/generated/FAMILY). No tokenizer: the prompt is input ids; subject = tokens 1–3; answer =
the clean argmax; noise = 3 × the unbiased std of the subject's token embeddings × N(0, 1) (one seeded torch draw),
3 samples; kinds resid, mlp, attn; window 2. Random weights make p(answer) small (~0.02) and barely moved by noise, so
of 200 seeded random 8-token prompts the one whose noise moves p(answer) most (high − low) is taken: the trace's
effects then stand far above the test's 1e-4 tolerance.

    python3 tools/bench/rome_fixture_spec.py FAMILY SPEC.json      (from the repo root; FAMILY tiny-gpt2 or tiny-gpt-neox)
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rome_reference import load_model, modules, patched_run  # noqa: E402

SAMPLES, SUBJECT, LENGTH, CANDIDATES, WINDOW, SEED = 3, (1, 4), 8, 200, 2, 0


@torch.no_grad()
def make_spec(family):
    path = f"../shared/testdata/onnx-real/generated/{family}/model.onnx"
    if not os.path.exists(path):
        raise SystemExit(f"rome_fixture_spec: {path} not found (run from the repo root; FAMILY tiny-gpt2 or tiny-gpt-neox)")
    model = load_model(path)
    embed, _ = modules(model)
    g = torch.Generator().manual_seed(SEED)
    vocab, d_model = embed.weight.shape
    b, e = SUBJECT
    base = torch.randn(SAMPLES, e - b, d_model, generator=g)
    best = None
    for _ in range(CANDIDATES):
        tokens = torch.randint(1, vocab, (LENGTH,), generator=g).tolist()
        clean = torch.softmax(model(input_ids=torch.tensor([tokens])).logits[0, -1], dim=-1)
        answer = int(clean.argmax())
        noise = 3 * float(embed.weight[tokens[b:e]].std()) * base
        low = float(patched_run(model, torch.tensor([tokens] * (SAMPLES + 1)), embed, noise, (b, e), [])[answer])
        if best is None or float(clean[answer]) - low > best[0]:
            best = (float(clean[answer]) - low, tokens, answer, noise)
    _, tokens, answer, noise = best
    return {"model": path, "input_ids": tokens, "subject_range": [b, e], "answer_id": answer,
            "kinds": ["resid", "mlp", "attn"], "window": WINDOW, "noise": noise.tolist(), "threads": 1}


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    json.dump(make_spec(sys.argv[1]), open(sys.argv[2], "w"))
