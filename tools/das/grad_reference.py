"""PyTorch autograd reference values for Patchbay's generated backward graphs (engine/compile/backward).

    python3 tools/das/grad_reference.py      # writes engine/compile/backward/testdata/grad-reference.json
    python3 tools/das/grad_reference.py public/models/pythia-facts/onnx/model.onnx OUT.json   # any model

For each exporter-made fixture (../shared/testdata/onnx-real/generated/tiny-gpt2, tiny-gpt-neox) the Hugging Face model
is rebuilt from config.json and filled with the ONNX file's own weights; then, with seeded random values,
  block output of layer 0:  x' = x + mask ⊙ ((source − x) · U · Vᵀ)    (a rank-2 rotated-space term, mask at one position)
  block output of layer 1:  x' = x + delta
  loss = mean over rows of the cross-entropy of `labels[b]` at the last position,
and autograd gives d loss / d {U, Vt, source, delta} (delta = 0 there, so its gradient is the activation gradient).
Build time only: the tests read the JSON, never run Python.
"""
import json
import os
import re
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools", "bench"))
FIXTURES = os.path.join(ROOT, "..", "shared", "testdata", "onnx-real", "generated")
OUT = os.path.join(ROOT, "engine", "compile", "backward", "testdata", "grad-reference.json")


def load(onnx_path):
    """Like rome_reference.load_model, plus nn.Linear weights the TorchScript exporter stored transposed under
    generated names (onnx::MatMul_N): found through the MatMul node named after the module."""
    import onnx
    from onnx import numpy_helper
    from transformers import AutoConfig, AutoModelForCausalLM

    root = os.path.dirname(os.path.abspath(onnx_path))
    if os.path.basename(root) == "onnx":  # a Hugging Face layout: config.json beside onnx/
        root = os.path.dirname(root)
    config = AutoConfig.from_pretrained(root)
    config._attn_implementation = "eager"
    model = AutoModelForCausalLM.from_config(config)
    proto = onnx.load(onnx_path)
    tensors = {t.name: t for t in proto.graph.initializer}
    for node in proto.graph.node:
        if node.op_type == "Identity" and node.input[0] in tensors:
            tensors.setdefault(node.output[0], tensors[node.input[0]])
    matmul_weight = {}
    for node in proto.graph.node:
        if node.op_type == "MatMul" and node.input[1] in tensors:
            matmul_weight[node.name.rsplit("/", 1)[0]] = tensors[node.input[1]]
    state = {}
    for name, p in model.state_dict().items():
        key = name.replace("gpt_neox.embed_out", "embed_out")
        t = tensors.get(key)
        if t is not None:
            arr = numpy_helper.to_array(t)
        else:
            scope = "/" + re.sub(r"\.(?!\d)", "/", name.rsplit(".", 1)[0])  # gpt_neox.layers.0.x → /gpt_neox/layers.0/x
            if name == "lm_head.weight" and "/lm_head" not in matmul_weight:
                scope = "/embed_out"  # GPT-NeoX's output projection is exported under its 4.x module name
            if name == "lm_head.weight" and getattr(config, "tie_word_embeddings", False):
                continue
            if not name.endswith(".weight") or scope not in matmul_weight:
                raise SystemExit(f"grad_reference: parameter {name} not found in {onnx_path}")
            arr = numpy_helper.to_array(matmul_weight[scope]).T
        state[name] = torch.from_numpy(arr.copy()).reshape(p.shape)
    model.load_state_dict(state, strict=False)
    if getattr(config, "tie_word_embeddings", False):
        model.tie_weights()
    return model.eval()


def blocks(model):
    return list(model.transformer.h) if hasattr(model, "transformer") else list(model.gpt_neox.layers)


def case(family, path=None):
    path = path or os.path.join(FIXTURES, family, "model.onnx")
    model = load(path)
    for p in model.parameters():
        p.requires_grad_(False)
    if path.startswith(FIXTURES):
        ref = json.load(open(os.path.join(FIXTURES, family, "reference.json")))
        with torch.no_grad():  # the rebuilt model must be the exported one
            diff = (model(torch.tensor(ref["input_ids"])).logits - torch.tensor(ref["logits"])).abs().max().item()
        assert diff < 1e-4, f"{family}: rebuilt model differs from the ONNX reference by {diff}"
    gen = torch.Generator().manual_seed(12)
    B, S, D, r, pos = 2, 5, model.config.hidden_size, 2, 2
    vocab = model.config.vocab_size
    ids = torch.randint(1, vocab, (B, S), generator=gen)
    labels = torch.randint(1, vocab, (B,), generator=gen)
    U = (torch.randn(D, r, generator=gen) * 0.3).requires_grad_()
    Vt = (torch.randn(r, D, generator=gen) * 0.3).requires_grad_()
    source = torch.randn(B, S, D, generator=gen).requires_grad_()
    delta = torch.zeros(B, S, D, requires_grad=True)
    mask = torch.zeros(B, S, 1)
    mask[:, pos] = 1

    def at0(_m, _i, out):
        x = out[0]
        return (x + mask * ((source - x) @ U @ Vt),) + tuple(out[1:])

    def at1(_m, _i, out):
        return (out[0] + delta,) + tuple(out[1:])

    def rewrap(fn):  # blocks return a tuple (GPT-2 / NeoX in transformers 4.x) or a tensor
        return lambda m, i, out: fn(m, i, out) if isinstance(out, tuple) else fn(m, i, (out,))[0]

    hooks = [blocks(model)[0].register_forward_hook(rewrap(at0)), blocks(model)[1].register_forward_hook(rewrap(at1))]
    logits = model(ids).logits
    for h in hooks:
        h.remove()
    loss = torch.nn.functional.cross_entropy(logits[:, -1], labels)
    loss.backward()
    flat = lambda t: [round(float(v), 9) for v in t.detach().reshape(-1)]
    return {
        "ids": ids.tolist(), "labels": labels.tolist(), "rank": r, "position": pos, "d_model": D,
        "U": flat(U), "Vt": flat(Vt), "source": flat(source), "loss": loss.item(),
        "grad": {"U": flat(U.grad), "Vt": flat(Vt.grad), "source": flat(source.grad), "delta": flat(delta.grad)},
        "torch": torch.__version__,
    }


def main():
    if len(sys.argv) == 3:
        model_path, target = sys.argv[1], sys.argv[2]
        out = {"model": case("model", model_path)}
    else:
        target = OUT
        out = {family: case(family) for family in ["tiny-gpt2", "tiny-gpt-neox"]}
    os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    with open(target, "w") as f:
        json.dump(out, f)
    print("wrote", target, {k: round(v["loss"], 6) for k, v in out.items()})


if __name__ == "__main__":
    main()
