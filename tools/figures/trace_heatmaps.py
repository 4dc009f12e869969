"""Draws the three Meng-style heatmaps (resid / MLP / attention) of a `patchbay trace --out` JSON as one PNG.
Dev tool for docs figures: python3 tools/figures/trace_heatmaps.py TRACE.json OUT.png "title"."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

trace = json.load(open(sys.argv[1]))
out, title = sys.argv[2], sys.argv[3]
b, e = trace["subject_range"]
labels = [t + ("*" if b <= i < e else "") for i, t in enumerate(trace["tokens"])]
kinds = [("resid", "Purples", "single restored layer"), ("mlp", "Greens", "MLP restored"), ("attn", "Reds", "attention restored")]
fig, axes = plt.subplots(1, 3, figsize=(13, 0.32 * len(labels) + 1.6))
for ax, (kind, cmap, name) in zip(axes, kinds):
    scores = trace["scores"][kind]
    im = ax.imshow(scores, cmap=cmap, vmin=trace["low_score"], aspect="auto")
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xticks(range(len(scores[0])))
    ax.set_xlabel("layer")
    ax.set_title(f"{name}", fontsize=10)
    fig.colorbar(im, ax=ax, fraction=0.05, label=f"p({trace['answer']['text'].strip()})")
fig.suptitle(title, fontsize=11)
fig.tight_layout()
fig.savefig(out, dpi=110)
