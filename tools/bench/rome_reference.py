"""Baseline for `npm run bench:trace`: causal tracing the way ROME's experiments/causal_trace.py runs it, in plain
PyTorch on the CPU: one forward pass per cell, batch = 1 clean row + `samples` corrupted rows, forward hooks that add
the noise at the token embedding and copy the clean row's state into the corrupted rows. Written for Patchbay (not
copied from ROME); the weights are read from the same ONNX file Patchbay runs, so both sides trace one model.

    python3 tools/bench/rome_reference.py SPEC.json OUT.json

SPEC: {"model": ".../onnx/model.onnx", "input_ids": [...], "subject_range": [b, e], "answer_id": n | null,
       "kinds": ["resid", "mlp", "attn"], "window": 10, "noise": [[[...d_model]...subject tokens]...samples],
       "threads": 2}
OUT:  {"scores": {kind: [[token][layer]]}, "low_score", "high_score", "answer_id", "passes", "seconds", "cpu_seconds",
       "threads", "matmul_gflops", "max_abs_logit_diff_vs_onnxruntime"}   (matmul_gflops: torch's rate on a
       [1024, 768] × [768, 3072] MatMul, for reference; the logit difference: the PyTorch model against onnxruntime
       on the prompt, which must stay under 1e-4)
"""
import json
import os
import sys
import time

import torch


def load_model(onnx_path):
    """Builds the Hugging Face model described by config.json (beside the ONNX file, or one folder up from onnx/) and
    fills every parameter from the ONNX initializers through the scale-out converter's mapping (one implementation:
    tools/scaleout/onnx_to_torch.py). Checked against onnxruntime on the same file (fails above 1e-4 on logits)."""
    import onnx
    from transformers import AutoConfig, AutoModelForCausalLM

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scaleout"))
    from onnx_to_torch import onnx_weights

    root = os.path.dirname(os.path.abspath(onnx_path))
    if os.path.basename(root) == "onnx":
        root = os.path.dirname(root)
    config = AutoConfig.from_pretrained(root)
    config._attn_implementation = "eager"
    # On the CPU, not the meta device: GPT-NeoX's rotary tables are buffers computed at construction, not weights.
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    params = {k for k, _ in model.named_parameters(remove_duplicate=False)}
    found = onnx_weights(onnx.load(onnx_path).graph, params)
    tied = getattr(config, "tie_word_embeddings", False)
    missing = sorted(k for k in params if k not in found and not (tied and k == "lm_head.weight"))
    if missing:
        raise SystemExit(f"rome_reference: no ONNX weight found for {missing[:5]} ({len(missing)} in all)")
    state = model.state_dict()
    for k, v in found.items():
        if tuple(state[k].shape) != v.shape:
            raise SystemExit(f"rome_reference: {k}: ONNX gives {v.shape}, the model wants {tuple(state[k].shape)}")
        state[k] = torch.from_numpy(v.copy())
    model.load_state_dict(state, strict=False)
    if tied:
        model.tie_weights()
    return model.eval()


def check_against_onnxruntime(model, onnx_path, tokens):
    """Max |logit difference| between the PyTorch model and onnxruntime on the prompt (empty past); fails above 1e-4."""
    import numpy as np
    from onnx_to_torch import onnxruntime_logits

    ids = np.array([tokens], dtype=np.int64)
    want = onnxruntime_logits(onnx_path, ids)
    with torch.no_grad():
        got = model(input_ids=torch.from_numpy(ids)).logits.numpy()
    diff = float(np.abs(got - want).max())
    if not diff <= 1e-4:
        raise SystemExit(f"rome_reference: the PyTorch model differs from {onnx_path} by {diff} on logits (> 1e-4)")
    return diff


def modules(model):
    if hasattr(model, "transformer"):
        t = model.transformer
        return t.wte, {"resid": list(t.h), "mlp": [b.mlp for b in t.h], "attn": [b.attn for b in t.h]}
    n = model.gpt_neox
    return n.embed_in, {"resid": list(n.layers), "mlp": [b.mlp for b in n.layers], "attn": [b.attention for b in n.layers]}


def first(x):
    return x[0] if isinstance(x, tuple) else x


@torch.no_grad()
def patched_run(model, ids, embed, noise, span, restore):
    """One pass: row 0 clean, rows 1.. corrupted; restore = [(module, token)] copied from row 0 into rows 1..
    Returns p(last position) averaged over the corrupted rows ([vocab])."""
    b, e = span
    hooks = []

    def add_noise(_m, _i, out):
        out[1:, b:e] += noise
        return out

    def restorer(tokens):
        def hook(_m, _i, out):
            h = first(out)
            for t in tokens:
                h[1:, t] = h[0, t]
            return out
        return hook

    if noise is not None:
        hooks.append(embed.register_forward_hook(add_noise))
    by_module = {}
    for mod, t in restore:
        by_module.setdefault(mod, []).append(t)
    for mod, tokens in by_module.items():
        hooks.append(mod.register_forward_hook(restorer(tokens)))
    try:
        logits = model(input_ids=ids).logits
    finally:
        for h in hooks:
            h.remove()
    return torch.softmax(logits[1:, -1], dim=-1).mean(dim=0)


def main():
    spec = json.load(open(sys.argv[1]))
    torch.set_num_threads(int(spec.get("threads", 2)))
    model = load_model(spec["model"])
    embed, sites = modules(model)
    n_layers = len(sites["resid"])
    noise = torch.tensor(spec["noise"], dtype=torch.float32)
    samples = noise.shape[0]
    tokens = spec["input_ids"]
    ids = torch.tensor([tokens] * (samples + 1))
    span = tuple(spec["subject_range"])
    window = int(spec.get("window", 10))
    onnx_diff = check_against_onnxruntime(model, spec["model"], tokens)
    t0 = time.perf_counter()
    c0 = time.process_time()
    with torch.no_grad():
        clean = torch.softmax(model(input_ids=ids[:1]).logits[0, -1], dim=-1)
    answer = spec.get("answer_id")
    answer = int(clean.argmax()) if answer is None else int(answer)
    high = float(clean[answer])
    low = float(patched_run(model, ids, embed, noise, span, [])[answer])
    passes = 2
    scores = {}
    for kind in spec["kinds"]:
        grid = []
        for t in range(len(tokens)):
            row = []
            for layer in range(n_layers):
                if kind == "resid":
                    layers = [layer]
                else:
                    layers = range(max(0, layer - window // 2), min(n_layers, layer - (-window // 2)))
                restore = [(sites[kind][L], t) for L in layers]
                row.append(float(patched_run(model, ids, embed, noise, span, restore)[answer]))
                passes += 1
            grid.append(row)
        scores[kind] = grid
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    json.dump({"scores": scores, "low_score": low, "high_score": high, "answer_id": answer, "passes": passes,
               "seconds": seconds, "cpu_seconds": cpu, "threads": torch.get_num_threads(),
               "matmul_gflops": matmul_rate(), "max_abs_logit_diff_vs_onnxruntime": onnx_diff}, open(sys.argv[2], "w"))


def matmul_rate(m=1024, k=768, n=3072, repeats=10):
    a, b = torch.randn(m, k), torch.randn(k, n)
    for _ in range(2):
        a @ b
    t = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * m * k * n * repeats / (time.perf_counter() - t) / 1e9


if __name__ == "__main__":
    main()
