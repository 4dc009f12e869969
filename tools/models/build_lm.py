"""Build one bundled fact model end to end.

    python tools/models/build_lm.py --family gpt2 --id gpt2-facts [--stage train|package|all]

train:   corpus -> tokenizer -> train (seeded, 1 thread) -> tools/models/work/<id>/ (HF checkpoint, git-ignored)
package: ONNX export -> checks (hook sites vs fixtures, onnxruntime vs PyTorch) -> public/models/<id>/
"""
import argparse
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

from corpus import make_corpus  # noqa: E402
from tokenizer import EOS, save_tokenizer, train_tokenizer  # noqa: E402
import train_lm  # noqa: E402

SEED = 0
# Edition 1 is what public/models holds (6 layers, vocab 1280); edition 2 is the second edition of issue 11, built
# by `MODELS_EDITION=2 npm run models:build` and not bundled yet (docs/models.md, "Second edition").
EDITIONS = {
    1: dict(vocab=1280, catalogue=False, stories=1,
            dims={"gpt2": dict(d=128, layers=6, heads=4, d_mlp=None),
                  "gpt_neox": dict(d=128, layers=6, heads=4, d_mlp=None)}),
    # vocab 4096 is an upper bound: the BPE trainer stops once every word of the corpus is one token (~2.7k)
    2: dict(vocab=4096, catalogue=os.environ.get("PB_CATALOGUE", "0") == "1", stories=2,
            dims={"gpt2": dict(d=128, layers=12, heads=4, d_mlp=256),
                  "gpt_neox": dict(d=128, layers=12, heads=4, d_mlp=256)}),
}
EDITION = int(os.environ.get("MODELS_EDITION", "1"))
ED = EDITIONS[EDITION]
VOCAB = ED["vocab"]
DIMS = ED["dims"]


def log(*a):
    print(*a, flush=True)


def tokenizer_rows(rows, facts):
    # Answers must be single tokens while names stay split into pieces, as rare names are in real vocabularies:
    # the tokenizer (only) sees every answer word 300 extra times, so its merges come first; the vocabulary is
    # kept small, so invented names and rare landmark names are left in several tokens.
    answers = sorted({f["answer"].strip() for f in facts})
    return rows + [" ".join([a] * 300) for a in answers]


def build_data():
    rows, facts = make_corpus(SEED, stories=ED["stories"], catalogue=ED["catalogue"])
    tok = train_tokenizer(tokenizer_rows(rows, facts), VOCAB)
    return rows, facts, tok


def stage_train(family, mid):
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    work = os.path.join(HERE, "work", mid)
    rows, facts, tok = build_data()
    eos = tok.token_to_id(EOS)
    rows_ids = [tok.encode(r).ids + [eos] for r in rows]
    enc = train_lm.encode_facts(tok, facts)
    log(f"[{mid}] edition {EDITION}; corpus: {len(rows)} rows, {sum(map(len, rows_ids))} tokens; {len(facts)} fact prompts; "
        f"vocab {tok.get_vocab_size()}")
    model = train_lm.make_model(family, tok.get_vocab_size(), seed=SEED, **DIMS[family])
    log(f"[{mid}] training {family}: {sum(p.numel() for p in model.parameters()):,} parameters")
    stats = train_lm.train(model, rows_ids, enc, seed=SEED, log=log)
    os.makedirs(work, exist_ok=True)
    model.save_pretrained(os.path.join(work, "hf"))
    save_tokenizer(tok, os.path.join(work, "hf"), train_lm.CONTEXT)
    with open(os.path.join(work, "training.json"), "w") as f:
        json.dump(stats, f, indent=1)
    with open(os.path.join(work, "facts.json"), "w") as f:
        json.dump(facts, f, indent=1)
    log(f"[{mid}] trained: {stats['steps']} steps, {stats['seconds']} s, accuracy {stats['accuracy']}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--family", required=True, choices=["gpt2", "gpt_neox"])
    ap.add_argument("--id", required=True)
    ap.add_argument("--stage", default="all", choices=["train", "package", "all"])
    ap.add_argument("--out", default=None, help="bundle folder (default public/models)")
    a = ap.parse_args()
    if a.stage in ("train", "all"):
        stage_train(a.family, a.id)
    if a.stage in ("package", "all"):
        import package_lm
        package_lm.package(a.family, a.id, a.out)


if __name__ == "__main__":
    main()
