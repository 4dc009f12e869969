"""Export a Hugging Face GPT2LMHeadModel / GPTNeoXForCausalLM to ONNX in the current hub layout
(optimum's `text-generation-with-past`: onnx/model.onnx with input_ids, attention_mask, position_ids,
past_key_values.{i}.key/value -> logits, present.{i}.key/value), with the TorchScript exporter (dynamo=False).

The model's own forward is replaced on the instance (as optimum's model patcher does) so the node names carry
the torch module scopes relative to the model itself: /transformer/h.0/attn/MatMul_1, /gpt_neox/layers.0/...
"""
import os
import warnings

import torch
from transformers import DynamicCache


def io_names(family, n_layers):
    past = []
    for i in range(n_layers):
        past += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
    present = []
    for i in range(n_layers):
        present += [f"present.{i}.key", f"present.{i}.value"]
    if family == "gpt2":  # optimum's order for gpt2 puts the past before attention_mask
        inputs = ["input_ids"] + past + ["attention_mask", "position_ids"]
    else:
        inputs = ["input_ids", "attention_mask", "position_ids"] + past
    return inputs, ["logits"] + present


def export(model, family, path, opset=18, batch=2, seq=8, past_len=8):
    cfg = model.config
    n_layers = cfg.num_hidden_layers
    n_heads = cfg.num_attention_heads
    d_head = cfg.hidden_size // n_heads
    inputs, outputs = io_names(family, n_layers)
    orig_forward = model.forward

    def patched(*args):
        named = dict(zip(inputs, args))
        cache = DynamicCache(config=cfg)
        for i in range(n_layers):
            # fill the layer directly: DynamicLayer.update would Concat the past onto an empty tensor
            k, v = named[f"past_key_values.{i}.key"], named[f"past_key_values.{i}.value"]
            layer = cache.layers[i]
            layer.lazy_initialization(k, v)
            layer.keys, layer.values = k, v
        kw = dict(input_ids=named["input_ids"], attention_mask=named["attention_mask"],
                  position_ids=named["position_ids"], past_key_values=cache, use_cache=True, return_dict=True)
        if family == "gpt_neox":
            # transformers 5 calls the untied head `lm_head`; the hub exports (transformers 4.x) call it
            # `embed_out`, so the graph has /embed_out/MatMul as in the published files
            out = model.gpt_neox(**kw)
            logits = model.embed_out(out.last_hidden_state)
        else:
            out = orig_forward(**kw)
            logits = out.logits
        res = [logits]
        pkv = out.past_key_values
        for i in range(n_layers):
            layer = pkv.layers[i]
            res += [layer.keys, layer.values]
        return tuple(res)

    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, cfg.vocab_size, (batch, seq), generator=g)
    mask = torch.ones(batch, past_len + seq, dtype=torch.int64)
    pos = torch.arange(past_len, past_len + seq, dtype=torch.int64).unsqueeze(0).expand(batch, seq).contiguous()
    named = {"input_ids": ids, "attention_mask": mask, "position_ids": pos}
    for i in range(n_layers):
        named[f"past_key_values.{i}.key"] = torch.randn(batch, n_heads, past_len, d_head, generator=g)
        named[f"past_key_values.{i}.value"] = torch.randn(batch, n_heads, past_len, d_head, generator=g)
    args = tuple(named[n] for n in inputs)

    dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"},
           "attention_mask": {0: "batch_size", 1: "past_sequence_length + sequence_length"},
           "position_ids": {0: "batch_size", 1: "sequence_length"},
           "logits": {0: "batch_size", 1: "sequence_length"}}
    for i in range(n_layers):
        for kv in ("key", "value"):
            dyn[f"past_key_values.{i}.{kv}"] = {0: "batch_size", 2: "past_sequence_length"}
            dyn[f"present.{i}.{kv}"] = {0: "batch_size", 2: "past_sequence_length + sequence_length"}

    os.makedirs(os.path.dirname(path), exist_ok=True)
    model.eval()
    model.forward = patched
    if family == "gpt_neox":
        head = model._modules.pop("lm_head")
        model.add_module("embed_out", head)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, args, path, input_names=inputs, output_names=outputs,
                              dynamic_axes=dyn, opset_version=opset, do_constant_folding=True, dynamo=False)
    finally:
        del model.forward
        if family == "gpt_neox":
            model.add_module("lm_head", model._modules.pop("embed_out"))
    # keep all weights inside one file
    import onnx
    m = onnx.load(path)
    onnx.save_model(m, path, save_as_external_data=False)
    return path
