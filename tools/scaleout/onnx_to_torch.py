"""Bundled ONNX model -> a transformers folder (config.json, model.safetensors, tokenizer) so exported pyvene / nnsight
scripts can run on it. Stage: dev tooling for scale-out (docs/scale-out.md); never part of `npm test`.

Weights come from the ONNX initializers: named ones are state-dict keys already (GPT-2's Conv1D weights keep their
[in, out] layout); torch's exporter merges equal tensors (the duplicate survives as an Identity's output, named) and
writes nn.Linear weights transposed under generated names (onnx::MatMul_N), which the consuming node's scope
(/gpt_neox/layers.0/attention/dense/MatMul) names. GPT-2's lm_head is tied to wte. The folder is checked against
onnxruntime on the same tokens (max |logit difference| printed; it fails above 1e-4).

usage: python tools/scaleout/onnx_to_torch.py MODEL_DIR OUT_DIR      (MODEL_DIR like public/models/gpt2-facts)
"""
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper
from transformers import AutoConfig, AutoModelForCausalLM


# Module names that differ between the exporting and the loading transformers version.
RENAMED = {'embed_out.weight': 'lm_head.weight'}


def onnx_weights(graph, keys):
    """State-dict key -> numpy array, from initializers, Identity aliases and the scopes of matrix products."""
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    out = {name: value for name, value in inits.items() if name in keys}
    for node in graph.node:
        if node.op_type == 'Identity' and node.input[0] in inits and node.output[0] in keys:
            out[node.output[0]] = inits[node.input[0]]
    for node in graph.node:
        if node.op_type not in ('MatMul', 'Gemm') or len(node.input) < 2 or node.input[1] not in inits:
            continue
        if node.input[1] in keys:
            continue  # named (GPT-2's Conv1D): already taken as it is
        key = '.'.join(node.name.strip('/').split('/')[:-1]) + '.weight'
        key = key if key in keys else RENAMED.get(key, key)
        if key not in keys:
            raise SystemExit(f'{node.name}: its weight {node.input[1]} maps to {key}, which the model does not have')
        trans_b = any(a.name == 'transB' and a.i == 1 for a in node.attribute)
        w = inits[node.input[1]]
        out[key] = w if trans_b else w.T  # nn.Linear keeps [out, in]
    return out


def convert(model_dir: Path, out_dir: Path) -> float:
    config = AutoConfig.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32).eval()
    state = model.state_dict()
    params = {k for k, _ in model.named_parameters(remove_duplicate=False)}
    graph = onnx.load(str(model_dir / 'onnx' / 'model.onnx')).graph
    found = onnx_weights(graph, params)
    tied = getattr(config, 'tie_word_embeddings', False)
    missing = sorted(k for k in params if k not in found and not (tied and k == 'lm_head.weight'))
    if missing:
        raise SystemExit(f'no ONNX weight found for {len(missing)} parameter(s): {missing[:5]}')
    for k, v in found.items():
        if tuple(state[k].shape) != v.shape:
            raise SystemExit(f'{k}: ONNX gives {v.shape}, the model wants {tuple(state[k].shape)}')
        state[k] = torch.from_numpy(np.ascontiguousarray(v))
    model.load_state_dict(state, strict=False)
    if tied:
        model.tie_weights()
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    for name in ('tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'):
        if (model_dir / name).exists():
            shutil.copy(model_dir / name, out_dir / name)
    return check(model, model_dir, graph)


def onnxruntime_logits(onnx_path: str, ids: np.ndarray) -> np.ndarray:
    """The export's logits for one row of token ids [1, S] in onnxruntime, with an empty past where it has one."""
    sess = ort.InferenceSession(onnx_path, providers=['CPUExecutionProvider'])
    feeds = {}
    for inp in sess.get_inputs():
        if inp.name == 'input_ids':
            feeds[inp.name] = ids
        elif inp.name == 'attention_mask':
            feeds[inp.name] = np.ones_like(ids)
        elif inp.name == 'position_ids':
            feeds[inp.name] = np.arange(ids.shape[1], dtype=np.int64)[None, :]
        elif inp.name.startswith('past_key_values'):
            shape = [1 if d == 'batch_size' or not isinstance(d, int) and 'batch' in str(d) else (0 if not isinstance(d, int) else d) for d in inp.shape]
            feeds[inp.name] = np.zeros(shape, dtype=np.float32)
    return sess.run(['logits'], feeds)[0]


def check(model, model_dir: Path, graph) -> float:
    """Max |logit difference| between the converted model and onnxruntime on 12 tokens."""
    ids = np.arange(3, 15, dtype=np.int64)[None, :]
    want = onnxruntime_logits(str(model_dir / 'onnx' / 'model.onnx'), ids)
    with torch.no_grad():
        got = model(torch.from_numpy(ids)).logits.numpy()
    return float(np.abs(got - want).max())


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    diff = convert(Path(sys.argv[1]), Path(sys.argv[2]))
    print(json.dumps({'model': sys.argv[1], 'out': sys.argv[2], 'max_abs_logit_diff_vs_onnxruntime': diff}))
    if not diff <= 1e-4:
        raise SystemExit(f'the converted model differs from the ONNX graph by {diff} (> 1e-4)')


if __name__ == '__main__':
    main()
