"""Compare the hook sites of an exported graph with the reference fixtures (testdata/onnx-real/generated).

For every hook-site value of the table in testdata/onnx-real/README.md (with N = each layer) it checks that the
value exists under the same name and has the same local op structure as in the fixture: the producing op, the ops
(or initializer / graph input) that feed it, and the ops that consume it, with layer indices normalised.
The fixture has 2 layers: our layer 0 is compared with fixture layer 0, our last layer with fixture layer 1, and the
layers between with fixture layer 0 (their inputs come from a block, like fixture layer 1; their outputs feed a
block, like fixture layer 0, so both neighbours are checked against the matching fixture layer).
It also lists every node name in the layer scope that exists in only one of the two graphs.

usage: python check_sites.py MODEL.onnx gpt2|gpt_neox [FIXTURE.onnx]   (exit code 1 on a mismatch)
"""
import os
import re
import sys

import onnx

FIXTURES = os.environ.get("PATCHBAY_FIXTURES", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared",
                                                            "testdata", "onnx-real", "generated"))
if not os.path.isdir(FIXTURES):
    sys.exit(f"check_sites: no fixtures at {os.path.abspath(FIXTURES)} (the shared test data sits at ../shared beside the "
             "checkout): set PATCHBAY_FIXTURES to its testdata/onnx-real/generated folder")

SITES = {
    "gpt2": {
        # the input of h.0/ln_1: /transformer/Add_1_output_0 in the fixture, Add_output_0 in other exports
        "embeddings": "@in0:/transformer/h.0/ln_1/LayerNormalization",
        "ln1": "/transformer/h.{N}/ln_1/LayerNormalization_output_0",
        "head_z": "/transformer/h.{N}/attn/MatMul_1_output_0",
        "heads_merged": "/transformer/h.{N}/attn/Reshape_3_output_0",
        "attn_out": "/transformer/h.{N}/attn/c_proj/Reshape_1_output_0",
        "resid_mid": "/transformer/h.{N}/Add_output_0",
        "ln2": "/transformer/h.{N}/ln_2/LayerNormalization_output_0",
        "mlp_act": "/transformer/h.{N}/mlp/act/Mul_3_output_0",
        "mlp_out": "/transformer/h.{N}/mlp/c_proj/Reshape_1_output_0",
        "block_out": "/transformer/h.{N}/Add_1_output_0",
        "attn_probs": "/transformer/h.{N}/attn/Softmax_output_0",
        "attn_probs_guard": "/transformer/h.{N}/attn/Where_1_output_0",
        "query": "/transformer/h.{N}/attn/Transpose_2_output_0",
        "key": "present.{N}.key",
        "value": "present.{N}.value",
        "final_ln": "/transformer/ln_f/LayerNormalization_output_0",
        "logits": "logits",
    },
    "gpt_neox": {
        "embeddings": "/gpt_neox/embed_in/Gather_output_0",
        "ln1": "/gpt_neox/layers.{N}/input_layernorm/LayerNormalization_output_0",
        "ln2": "/gpt_neox/layers.{N}/post_attention_layernorm/LayerNormalization_output_0",
        "head_z": "/gpt_neox/layers.{N}/attention/MatMul_1_output_0",
        "heads_merged": "/gpt_neox/layers.{N}/attention/Reshape_1_output_0",
        "attn_out": "/gpt_neox/layers.{N}/attention/dense/Add_output_0",
        "mlp_act": "/gpt_neox/layers.{N}/mlp/act/Mul_1_output_0",
        "mlp_out": "/gpt_neox/layers.{N}/mlp/dense_4h_to_h/Add_output_0",
        "attn_plus_mlp": "/gpt_neox/layers.{N}/Add_output_0",
        "block_out": "/gpt_neox/layers.{N}/Add_1_output_0",
        "attn_probs": "/gpt_neox/layers.{N}/attention/Softmax_output_0",
        "attn_probs_guard": "/gpt_neox/layers.{N}/attention/Where_1_output_0",
        "q_rot": "/gpt_neox/layers.{N}/attention/Add_1_output_0",
        "k_rot": "/gpt_neox/layers.{N}/attention/Add_2_output_0",
        "key": "present.{N}.key",
        "value": "present.{N}.value",
        "final_ln": "/gpt_neox/final_layer_norm/LayerNormalization_output_0",
        "logits": "logits",
    },
}
SCOPE = {"gpt2": "/transformer/h.{N}/", "gpt_neox": "/gpt_neox/layers.{N}/"}
FIXTURE_FILE = {"gpt2": "tiny-gpt2/model.onnx", "gpt_neox": "tiny-gpt-neox/model.onnx"}


def norm(name):
    name = re.sub(r"h\.\d+", "h.N", name)
    name = re.sub(r"layers\.\d+", "layers.N", name)
    name = re.sub(r"(present|past_key_values)\.\d+", r"\1.N", name)
    name = re.sub(r"onnx::(\w+?)_\d+", r"onnx::\1", name)
    return name


class Graph:
    def __init__(self, path):
        self.model = onnx.load(path, load_external_data=False)
        g = self.model.graph
        self.producer, self.consumers = {}, {}
        for n in g.node:
            for o in n.output:
                self.producer[o] = n
            for i in n.input:
                self.consumers.setdefault(i, []).append(n)
        self.inits = {i.name for i in g.initializer}
        self.inputs = {i.name for i in g.input}
        self.outputs = {o.name for o in g.output}
        self.nodes = g.node
        # the embeddings value (input of layer 0's first LayerNorm) is named differently by different exports
        ln0 = next((n for n in self.nodes if n.name in ("/transformer/h.0/ln_1/LayerNormalization",)), None)
        self.emb = ln0.input[0] if ln0 is not None else None
        self.n_layers = sum(1 for i in g.output if i.name.startswith("present.") and i.name.endswith(".key"))

    def kind(self, value):
        if value == "":
            return "none"
        if value in self.inits:
            return "initializer"
        if value in self.inputs:
            return "input:" + norm(value)
        p = self.producer.get(value)
        if p is None:
            return "missing"
        if p.op_type == "Identity" and p.input[0] in self.inits:
            return "initializer"  # torch merges equal initializers and keeps the copies as Identity outputs
        if p.op_type == "Constant":
            return "Constant"
        if value == self.emb:
            return p.op_type + ":<embeddings>"
        return p.op_type + ":" + norm(p.name)

    def resolve(self, pattern):
        if pattern.startswith("@in0:"):
            node = next((n for n in self.nodes if n.name == pattern[5:]), None)
            return node.input[0] if node is not None else pattern
        return pattern

    def signature(self, value):
        p = self.producer.get(value)
        if p is None:
            if value in self.inputs:
                return ("graph-input",)
            return None
        feeds = tuple(self.kind(i) for i in p.input)
        # Shape consumers only compute sizes; a hook slot does not care about them (reported in the scope diff)
        cons = tuple(sorted(c.op_type + ":" + norm(c.name) for c in self.consumers.get(value, [])
                            if c.op_type != "Shape"))
        return (p.op_type + ":" + norm(p.name), feeds, cons, value in self.outputs)


def check(path, family, fixture=None):
    fixture = fixture or os.path.join(FIXTURES, FIXTURE_FILE[family])
    mine, ref = Graph(path), Graph(fixture)
    L = mine.n_layers
    ok = True
    lines = []
    for site, pattern in SITES[family].items():
        layers = range(L) if "{N}" in pattern else [None]
        for N in layers:
            name = pattern.format(N=N)
            if N is None:
                rname = name
            else:
                rN = 1 if (N == L - 1 and L > 1) else 0
                rname = pattern.format(N=rN)
            name, rname = mine.resolve(name), ref.resolve(rname)
            a, b = mine.signature(name), ref.signature(rname)
            if a is None:
                ok = False
                lines.append(f"MISSING  {site:16s} {name}")
                continue
            if b is None:
                lines.append(f"NOREF    {site:16s} {name}")
                continue
            if N is not None and N not in (0, L - 1) and L > 2:
                # a middle layer: its consumers look like fixture layer 0's, its feeds like fixture layer 1's
                b1 = ref.signature(pattern.format(N=1))
                a = (a[0], a[1], a[2], a[3])
                same = a[0] == b[0] and a[2] == b[2] and a[3] == b[3] and a[1] == b1[1]
            else:
                same = a == b
            if not same and name != rname and a is not None and b is not None:
                # same structure under another name (the embeddings Add): compare op types only
                strip = lambda s: (s[0].split(":")[0], tuple(x.split(":")[0] for x in s[1]),
                                   tuple(x.split(":")[0] for x in s[2]), s[3])
                if strip(a) == strip(b):
                    lines.append(f"ok       {site:16s} {name} (the fixture calls it {rname})")
                    continue
            if not same:
                ok = False
                lines.append(f"DIFFERS  {site:16s} {name}\n    mine:    {a}\n    fixture: {b}")
            else:
                lines.append(f"ok       {site:16s} {name}")
    # node names in the layer-0 scope present in only one graph
    scope = SCOPE[family].format(N=0)
    ma = {(n.op_type, n.name) for n in mine.nodes if n.name.startswith(scope)}
    ra = {(n.op_type, n.name) for n in ref.nodes if n.name.startswith(scope)}
    only_ref = sorted((x for x in ra - ma if x[0] != "Constant"), key=lambda x: x[1])
    only_mine = sorted((x for x in ma - ra if x[0] != "Constant"), key=lambda x: x[1])
    n_const_ref = sum(1 for x in ra - ma if x[0] == "Constant")
    n_const_mine = sum(1 for x in ma - ra if x[0] == "Constant")
    lines.append(f"layer-0 scope {scope}: {len(ma)} nodes here, {len(ra)} in the fixture")
    lines.append(f"  only in the fixture (non-Constant): {', '.join(f'{o} {n}' for o, n in only_ref) or '-'}"
                 f" (+{n_const_ref} Constant)")
    lines.append(f"  only here (non-Constant): {', '.join(f'{o} {n}' for o, n in only_mine) or '-'}"
                 f" (+{n_const_mine} Constant)")
    return ok, lines


def main():
    path, family = sys.argv[1], sys.argv[2]
    fixture = sys.argv[3] if len(sys.argv) > 3 else None
    ok, lines = check(path, family, fixture)
    print("\n".join(lines))
    print(f"hook sites: {'all match the fixture' if ok else 'MISMATCH'} ({path})")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
