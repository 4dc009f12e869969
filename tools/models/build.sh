#!/usr/bin/env bash
# npm run models:build — rebuild every bundled model in public/models/ from scratch (seeded, deterministic).
# Python is build-time only (torch, transformers 5.x, tokenizers, onnx, onnxruntime; matplotlib for the figure).
# Takes ~30 min on one CPU core. RESUME=1 keeps trained checkpoints in tools/models/work/ and only re-packages.
# MODELS_EDITION=2 builds the second edition (12 layers, every word one token; docs/models.md), not bundled yet.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="${PYTHON:-python3}"
"$PY" -c "import torch, transformers, tokenizers, onnx, onnxruntime" 2>/dev/null || {
  echo "models:build needs Python with torch, transformers, tokenizers, onnx and onnxruntime" >&2
  echo "  (pip install torch transformers tokenizers onnx onnxruntime matplotlib)" >&2
  exit 1
}
export PYTHONHASHSEED=0
export MODELS_EDITION="${MODELS_EDITION:-1}"
echo "bundled models, edition $MODELS_EDITION"
T0=$(date +%s)
step() { echo; echo "== $* ($(( $(date +%s) - T0 ))s)"; }

if [ "${RESUME:-0}" != "1" ]; then rm -rf tools/models/work; fi
for spec in "gpt2 gpt2-facts" "gpt_neox pythia-facts"; do
  set -- $spec
  if [ -f "tools/models/work/$2/hf/model.safetensors" ]; then
    step "$2: trained checkpoint kept (RESUME=1)"
  else
    step "$2: corpus, tokenizer, training"
    "$PY" tools/models/build_lm.py --family "$1" --id "$2" --stage train
  fi
  step "$2: ONNX export, checks, bundle"
  "$PY" tools/models/build_lm.py --family "$1" --id "$2" --stage package
done

step "gru-recall"
"$PY" tools/models/build_gru.py --id gru-recall

printf '{"models": ["gpt2-facts", "pythia-facts", "gru-recall"]}\n' > public/models/index.json

step "tokenizer.json in @huggingface/tokenizers (JS)"
if command -v node >/dev/null && [ -d node_modules/@huggingface/tokenizers ]; then
  node tools/models/check_tokenizer_js.mjs gpt2-facts pythia-facts
else
  echo "skipped: needs node and npm install"
fi

step "causal-trace check (Meng et al.)"
mkdir -p docs/img
for id in gpt2-facts pythia-facts; do
  if "$PY" -c "import matplotlib" 2>/dev/null; then png=(--png "docs/img/trace-$id.png"); else png=(); fi
  "$PY" tools/models/check_trace.py "$id" --all-facts "${png[@]}" --json "tools/models/work/trace-$id.json"
done

step "sizes"
du -ab public/models | sort -k2
total=$(du -sb public/models | cut -f1)
echo "public/models: $total bytes"
if [ "$total" -gt 26214400 ]; then echo "public/models is over 25 MB" >&2; exit 1; fi
step "done"
