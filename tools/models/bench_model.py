"""Export GPT-2-small-sized and Pythia-160m-sized models with random weights (seeded) in the hub layout, for
benchmarks of the graph rewriter and onnxruntime-web on realistic sizes. Output (git-ignored):
tools/models/out/<name>/config.json + onnx/model.onnx. Skips a model whose output exists.
"""
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from export_onnx import export  # noqa: E402


def main():
    from transformers import GPT2Config, GPT2LMHeadModel, GPTNeoXConfig, GPTNeoXForCausalLM
    only = sys.argv[1:]
    specs = {
        "gpt2-small-random": ("gpt2", lambda: GPT2LMHeadModel(GPT2Config(
            vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12,
            activation_function="gelu_new", bos_token_id=50256, eos_token_id=50256))),
        "pythia-160m-random": ("gpt_neox", lambda: GPTNeoXForCausalLM(GPTNeoXConfig(
            vocab_size=50304, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
            intermediate_size=3072, rotary_pct=0.25, rotary_emb_base=10000, max_position_embeddings=2048,
            use_parallel_residual=True, tie_word_embeddings=False, hidden_act="gelu", bos_token_id=0,
            eos_token_id=0))),
    }
    for name, (family, make) in specs.items():
        if only and name not in only:
            continue
        dest = os.path.join(HERE, "out", name)
        path = os.path.join(dest, "onnx", "model.onnx")
        if os.path.exists(path) and os.path.exists(os.path.join(dest, "config.json")):
            print(f"[{name}] exists, skipped: {path} ({os.path.getsize(path):,} B)", flush=True)
            continue
        t0 = time.time()
        torch.manual_seed(0)
        model = make()
        model.config._attn_implementation = "sdpa"
        model.eval()
        print(f"[{name}] {sum(p.numel() for p in model.parameters()):,} parameters; exporting", flush=True)
        export(model, family, path, opset=18, batch=1, seq=4, past_len=4)
        cfg = model.config.to_dict()
        cfg.pop("_name_or_path", None)
        cfg["architectures"] = [type(model).__name__]
        with open(os.path.join(dest, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2, sort_keys=True)
        print(f"[{name}] wrote {path} ({os.path.getsize(path):,} B) in {time.time() - t0:.0f}s", flush=True)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
