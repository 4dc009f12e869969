#!/usr/bin/env bash
# npm run models:bench — random-weight GPT-2 small (and Pythia-160m) sized exports for benchmarks, into the
# git-ignored tools/models/out/. Skips what exists. Needs Python with torch, transformers, onnx, onnxruntime.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="${PYTHON:-python3}"
"$PY" -c "import torch, transformers, onnx" 2>/dev/null || {
  echo "models:bench needs Python with torch, transformers and onnx (pip install torch transformers onnx onnxruntime)" >&2
  exit 1
}
"$PY" tools/models/bench_model.py "$@"
