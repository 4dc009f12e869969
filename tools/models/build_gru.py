"""A small GRU trained on a toy task where the state at one time step matters, exported like the tiny-gru fixture.

Task ("recall the third symbol"): the input is a sequence of symbols 0..7 (one-hot, x [batch, seq, 8]); at
every step t the model outputs (logits over 8 symbols) the current symbol while t < 2, and from t = 2 on the
symbol it saw at step 2. So the whole answer lives in the recurrent state written at t = 2: patching the state
after step 2 from another sequence changes every later output to the other sequence's third symbol.

    python tools/models/build_gru.py [--id gru-recall]

Writes public/models/<id>/: onnx/model.onnx (opset 14, dynamo=False; one ONNX GRU node per layer, like the
fixture), config.json, reference.json, patchbay.json.
"""
import argparse
import json
import os
import shutil
import time

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SYMBOLS, HIDDEN, LAYERS, RECALL = 8, 32, 2, 2


class RecallGRU(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(SYMBOLS, HIDDEN, num_layers=LAYERS, batch_first=True)
        self.head = nn.Linear(HIDDEN, SYMBOLS)

    def forward(self, x, h0):
        y, hn = self.gru(x, h0)
        return self.head(y), hn


def targets(sym):
    t = sym.clone()
    t[:, RECALL:] = sym[:, RECALL:RECALL + 1]
    return t


def one_hot(sym):
    return torch.nn.functional.one_hot(sym, SYMBOLS).float()


def batch(g, B, lo=4, hi=16):
    T = int(torch.randint(lo, hi + 1, (1,), generator=g))
    sym = torch.randint(0, SYMBOLS, (B, T), generator=g)
    return sym


def train(log=print):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    model = RecallGRU()
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    t0 = time.time()
    for step in range(1, 3001):
        sym = batch(g, 64)
        logits, _ = model(one_hot(sym), torch.zeros(LAYERS, sym.shape[0], HIDDEN))
        loss = nn.functional.cross_entropy(logits.reshape(-1, SYMBOLS), targets(sym).reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 500 == 0:
            log(f"  step {step}  loss {loss.item():.4f}  ({time.time() - t0:.0f}s)")
    return model, step, time.time() - t0


@torch.no_grad()
def accuracy(model):
    g = torch.Generator().manual_seed(123)
    res = {"current symbol (t < 2)": [], "recalled symbol (t >= 2)": [], "last step": []}
    for T in (4, 8, 16, 32):
        sym = torch.randint(0, SYMBOLS, (500, T), generator=g)
        pred = model(one_hot(sym), torch.zeros(LAYERS, 500, HIDDEN))[0].argmax(-1)
        ok = pred == targets(sym)
        res["current symbol (t < 2)"].append(ok[:, :RECALL].float().mean().item())
        res["recalled symbol (t >= 2)"].append(ok[:, RECALL:].float().mean().item())
        res["last step"].append(ok[:, -1].float().mean().item())
    return {k: round(float(np.mean(v)), 4) for k, v in res.items()}


def single_layers(model):
    """one single-layer nn.GRU per layer, with the trained weights (to run and patch layer by layer)."""
    out = []
    for L in range(LAYERS):
        g = nn.GRU(SYMBOLS if L == 0 else HIDDEN, HIDDEN, num_layers=1, batch_first=True)
        for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(g, n + "_l0").data.copy_(getattr(model.gru, f"{n}_l{L}").data)
        out.append(g)
    return out


def r6(x):
    return np.round(np.asarray(x, dtype=np.float64), 6).tolist()


@torch.no_grad()
def reference(model):
    base = torch.tensor([[3, 1, 5, 0, 7, 2, 6, 4]])
    source = torch.tensor([[6, 4, 2, 7, 1, 0, 3, 5]])
    x, xs = one_hot(base), one_hot(source)
    h0 = torch.zeros(LAYERS, 1, HIDDEN)
    logits, hn = model(x, h0)
    g0, g1 = single_layers(model)
    y0, _ = g0(x, h0[0:1])
    y1, _ = g1(y0, h0[1:2])
    ys0, _ = g0(xs, h0[0:1])
    ys1, _ = g1(ys0, h0[1:2])
    t = RECALL
    # (a) the state of both layers after step t replaced by the source's, and the recurrence continues
    _, h_a = model.gru(x[:, :t + 1], h0)
    _, hs_a = model.gru(xs[:, :t + 1], h0)
    ya, _ = model.gru(x[:, :t + 1], h0)
    yb, _ = model.gru(x[:, t + 1:], hs_a)
    patched_both = model.head(torch.cat([model.gru(xs[:, :t + 1], h0)[0], yb], 1))
    # the outputs up to t are the source's (the state at t is the output at t); later outputs follow from it
    # (b) only layer 0's state after step t from the source (layer 1 keeps its own), propagated
    h_mix = h_a.clone()
    h_mix[0] = hs_a[0]
    yb0, _ = model.gru(x[:, t + 1:], h_mix)
    y_t = ya.clone()
    # layer 1 at step t still saw the base layer-0 output; only later steps change
    patched_l0 = model.head(torch.cat([y_t, yb0], 1))
    # (b') only layer 1's state after step t from the source
    h_mix1 = h_a.clone()
    h_mix1[1] = hs_a[1]
    yb1, _ = model.gru(x[:, t + 1:], h_mix1)
    patched_l1 = model.head(torch.cat([y_t, yb1], 1))
    # (c) zero the layer-0 state after step t, propagated (as in the fixture)
    h_zero = h_a.clone()
    h_zero[0] = 0
    yz, _ = model.gru(x[:, t + 1:], h_zero)
    # layer 1's output at t is computed from layer 0's output at t, which is now 0: recompute that step
    y0z = y0.clone()
    y0z[:, t] = 0
    y1z_t, _ = g1(y0z[:, :t + 1], h0[1:2])
    zero_prop = model.head(torch.cat([y1z_t, yz], 1))
    # (d) only layer 0's output Y[t] (the input of layer 1) zeroed; layer 0's recurrence unchanged
    y1o, _ = g1(y0z, h0[1:2])
    zero_out = model.head(y1o)

    def pred(lg):
        return lg[0].argmax(-1).tolist()

    ref = {
        "note": ("RecallGRU: torch.nn.GRU(8 -> 32, num_layers=2, batch_first) + Linear(32 -> 8), trained to output "
                 "the current symbol at t < 2 and the symbol seen at t = 2 from then on; exported with "
                 "torch.onnx.export(dynamo=False, opset 14). x is one-hot [1, 8, 8]; h0 zeros."),
        "symbols": base[0].tolist(),
        "x": r6(x), "h0": r6(h0), "logits": r6(logits), "hn": r6(hn),
        "layer0_Y": r6(y0), "layer1_Y": r6(y1),
        "prediction": pred(logits),
        "interventions": {
            "patch_state_at_t2_from_source": {
                "description": ("the hidden state of both layers after step t=2 replaced by the source run's "
                                "(source symbols below) and the recurrence continues from it (needs the GRU split "
                                "into steps [0..2] and [3..]); outputs at t <= 2 are the source's own"),
                "source_symbols": source[0].tolist(), "source_x": r6(xs),
                "source_layer0_Y": r6(ys0), "source_layer1_Y": r6(ys1),
                "t": t, "layers": [0, 1],
                "logits": r6(patched_both), "prediction": pred(patched_both)},
            "patch_layer0_state_at_t2_from_source": {
                "description": ("only layer 0's state after t=2 from the source run; layer 1 keeps the base "
                                "state; steps t >= 3 follow from the patched state (outputs at t <= 2 unchanged)"),
                "t": t, "layers": [0], "logits": r6(patched_l0), "prediction": pred(patched_l0)},
            "patch_layer1_state_at_t2_from_source": {
                "description": ("only layer 1's state after t=2 from the source run; layer 0 keeps the base "
                                "state; steps t >= 3 follow from the patched state (outputs at t <= 2 unchanged)"),
                "t": t, "layers": [1], "logits": r6(patched_l1), "prediction": pred(patched_l1)},
            "zero_layer0_state_at_t2_propagated": {
                "description": ("layer-0 hidden state after step t=2 set to 0 and the layer-0 recurrence "
                                "continues from it; layer 1 sees the zeroed layer-0 output at t=2 too"),
                "t": t, "logits": r6(zero_prop), "prediction": pred(zero_prop)},
            "zero_layer0_output_at_t2_only": {
                "description": ("only layer-0 output Y[t=2] (input to layer 1) set to 0; layer-0's own "
                                "recurrence unchanged (patching the GRU node's Y output)"),
                "t": t, "logits": r6(zero_out), "prediction": pred(zero_out)},
        },
    }
    return ref


def export(model, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    x = one_hot(torch.tensor([[0, 1, 2, 3, 4]]))
    h0 = torch.zeros(LAYERS, 1, HIDDEN)
    torch.onnx.export(model, (x, h0), path, input_names=["x", "h0"], output_names=["logits", "hn"],
                      dynamic_axes={"x": {0: "batch", 1: "seq"}, "h0": {1: "batch"},
                                    "logits": {0: "batch", 1: "seq"}, "hn": {1: "batch"}},
                      opset_version=14, dynamo=False)


@torch.no_grad()
def check_ort(model, path):
    import onnxruntime as ort
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    g = torch.Generator().manual_seed(7)
    worst = 0.0
    for B, T in ((1, 8), (3, 13)):
        sym = torch.randint(0, SYMBOLS, (B, T), generator=g)
        x = one_hot(sym)
        h0 = torch.randn(LAYERS, B, HIDDEN, generator=g) * 0.1
        lg, hn = model(x, h0)
        o = sess.run(None, {"x": x.numpy(), "h0": h0.numpy()})
        worst = max(worst, float(np.abs(o[0] - lg.numpy()).max()), float(np.abs(o[1] - hn.numpy()).max()))
    assert worst < 1e-4, worst
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--id", default="gru-recall")
    a = ap.parse_args()
    torch.set_num_threads(1)
    print(f"[{a.id}] training the GRU", flush=True)
    model, steps, secs = train(log=lambda s: print(s, flush=True))
    model.eval()
    acc = accuracy(model)
    print(f"[{a.id}] accuracy {acc}", flush=True)
    dest = os.path.join(ROOT, "public", "models", a.id)
    if os.path.isdir(dest):
        shutil.rmtree(dest)
    path = os.path.join(dest, "onnx", "model.onnx")
    export(model, path)
    worst = check_ort(model, path)
    print(f"    onnxruntime vs PyTorch: max |diff| = {worst:.2e}", flush=True)
    ref = reference(model)
    with open(os.path.join(dest, "reference.json"), "w") as f:
        json.dump(ref, f, separators=(",", ":"))
    cfg = {"model_type": "gru", "architectures": ["RecallGRU"], "input_size": SYMBOLS, "hidden_size": HIDDEN,
           "num_layers": LAYERS, "batch_first": True, "output_size": SYMBOLS, "bias": True,
           "linear_before_reset": 1, "recall_step": RECALL,
           "inputs": {"x": "float [batch, seq, 8]: one-hot symbols 0..7", "h0": "float [2, batch, 32]: zeros"},
           "outputs": {"logits": "float [batch, seq, 8]", "hn": "float [2, batch, 32]"}}
    with open(os.path.join(dest, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    n_params = sum(p.numel() for p in model.parameters())
    iv = ref["interventions"]
    manifest = {
        "format": 1,
        "id": a.id,
        "display_name": "GRU recall (2 layers, hidden 32)",
        "description": ("A two-layer GRU (hidden 32) + linear head trained to remember the symbol it saw at time "
                        "step 2: it echoes the current symbol at steps 0 and 1, then outputs the step-2 symbol at "
                        "every later step. The answer lives in the recurrent state written at t = 2, so a "
                        "time-step intervention there changes every later output."),
        "family": "gru",
        "files": {"model": "onnx/model.onnx", "config": "config.json", "reference": "reference.json"},
        "io": {
            "inputs": {"x": {"shape": ["batch", "seq", SYMBOLS], "meaning": "one-hot symbols 0..7, one per step"},
                       "h0": {"shape": [LAYERS, "batch", HIDDEN], "meaning": "initial state, zeros"}},
            "outputs": {"logits": {"shape": ["batch", "seq", SYMBOLS],
                                   "meaning": "at step t: the symbol at t if t < 2, else the symbol at step 2"},
                        "hn": {"shape": [LAYERS, "batch", HIDDEN], "meaning": "final state of each layer"}},
            "symbols": [str(i) for i in range(SYMBOLS)],
        },
        "facts": {"layers": LAYERS, "d_model": HIDDEN, "heads": 0, "d_head": 0, "d_mlp": 0, "vocab": SYMBOLS,
                  "context": 0, "params": n_params, "bytes": os.path.getsize(path)},
        "training": {"steps": steps, "seconds": round(secs), "accuracy": acc},
        "presets": {
            "traces": [],
            "patching": [{
                "name": "State at t = 2 from another sequence",
                "base": " ".join(map(str, ref["symbols"])),
                "source": " ".join(map(str, iv["patch_state_at_t2_from_source"]["source_symbols"])),
                "component": "block_output", "unit": "t", "t": RECALL, "layers": [0, 1],
                "answer": str(iv["patch_state_at_t2_from_source"]["source_symbols"][RECALL]),
                "note": (f"Replace the state of both layers after step 2 with the source's: every later output "
                         f"becomes the source's step-2 symbol (predictions "
                         f"{iv['patch_state_at_t2_from_source']['prediction']} instead of {ref['prediction']}). "
                         f"Patching only layer 0 gives {iv['patch_layer0_state_at_t2_from_source']['prediction']}, "
                         f"only layer 1 {iv['patch_layer1_state_at_t2_from_source']['prediction']}."),
            }],
            "multi_source": [],
            "steering": [],
            # The GRU panel's presets (app/components/recurrent/): the paper's point, state vs output-only at t = 2.
            # Predictions as Patchbay computes them (measured with `patchbay run`; docs/recurrent.md).
            "time_step": [
                {
                    "name": "Layer 1's state at t = 2 (carries on)",
                    "base": "3 1 5 0 7 2 6 4",
                    "source": "6 4 2 7 1 0 3 5",
                    "layer": 1,
                    "component": "block_output",
                    "source_t": 2,
                    "base_t": 2,
                    "intervention_type": "VanillaIntervention",
                    "note": "The source's layer-1 state after step 2 (it saw a 2 there) replaces the base's: the recurrence carries it on, so every output from step 2 recalls the source's symbol; predictions [3, 1, 2, 2, 2, 2, 2, 2] instead of [3, 1, 5, 5, 5, 5, 5, 5]."
                },
                {
                    "name": "Layer 1's output Y[2] only",
                    "base": "3 1 5 0 7 2 6 4",
                    "source": "6 4 2 7 1 0 3 5",
                    "layer": 1,
                    "component": "layer_output",
                    "source_t": 2,
                    "base_t": 2,
                    "intervention_type": "VanillaIntervention",
                    "note": "The same value written only into what the head reads at step 2: step 2's output changes, the layer's memory does not, so steps 3 to 7 still recall 5; predictions [3, 1, 2, 5, 5, 5, 5, 5]."
                }
            ],
        },
    }
    with open(os.path.join(dest, "patchbay.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"[{a.id}] wrote {dest} ({os.path.getsize(path):,} B model); base prediction {ref['prediction']}, "
          f"patched {iv['patch_state_at_t2_from_source']['prediction']}, "
          f"layer 0 only {iv['patch_layer0_state_at_t2_from_source']['prediction']}, "
          f"layer 1 only {iv['patch_layer1_state_at_t2_from_source']['prediction']}", flush=True)


if __name__ == "__main__":
    main()
