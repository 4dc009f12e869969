"""Counterfactual pairs for the gender case study (pyvene paper, case study 2): "NAME walked because" → " he" / " she".

    python3 tools/das/pronoun_pairs.py public/models/pythia-facts OUT.json

Names come from the model's manifest (patchbay.json: "name_lists": {"male": [...], "female": [...]}) when it has them,
else from the knowledge base the bundled models were trained on (tools/models/kb.py: MALE, FEMALE). A pair joins a
base name and a source name of the other gender whose prompts have the same number of tokens (the model's own
tokenizer.json); base_label is the base's pronoun, source_label the source's. Every such ordered pair is written.
"""
import json
import os
import sys

from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = "{} walked because"


def names(model_dir):
    manifest = json.load(open(os.path.join(model_dir, "patchbay.json")))
    lists = manifest.get("name_lists")
    if lists and lists.get("male") and lists.get("female"):
        return lists["male"], lists["female"], "the manifest"
    sys.path.insert(0, os.path.join(HERE, "..", "models"))
    import kb  # noqa: E402

    return kb.MALE, kb.FEMALE, "tools/models/kb.py"


def main():
    model_dir, out = sys.argv[1], sys.argv[2]
    male, female, origin = names(model_dir)
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    length = lambda n: len(tok.encode(TEMPLATE.format(n)).ids)
    pairs = []
    for base_names, base_label, source_names, source_label in [(male, " he", female, " she"), (female, " she", male, " he")]:
        for b in base_names:
            for s in source_names:
                if length(b) == length(s):
                    pairs.append({"base": TEMPLATE.format(b), "source": TEMPLATE.format(s), "base_label": base_label, "source_label": source_label})
    with open(out, "w") as f:
        json.dump(pairs, f, indent=0)
    counts = {}
    for p in pairs:
        counts[length(p["base"].split(" ")[0])] = counts.get(length(p["base"].split(" ")[0]), 0) + 1
    print(f"{len(pairs)} pairs from {len(male)} male and {len(female)} female names ({origin}); by token length: {dict(sorted(counts.items()))}")


if __name__ == "__main__":
    main()
