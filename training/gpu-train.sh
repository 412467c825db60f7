#!/usr/bin/env bash
# One training run on a borrowed GPU machine, in at most 10 minutes, downloading nothing:
# generates the phantoms there on every core, trains the large configuration within a wall-clock
# budget (warm start from models/slexnet-ich.pt), compares the result with the shipped model on the
# held-out test split and the real GE series, and writes everything to OUT_DIR:
#   gpu-run.log, compare.json, compare.md, run/{run.json, train.log, final.pt, stage1.pt}
# The weights come back as a PyTorch checkpoint; export, card, report and golden vectors are made
# on the CPU side with the project's own torch: `ichtrain ship --run-dir DIR`.
#
# Usage:   training/gpu-train.sh OUT_DIR [large|tiny] [TRAIN_BUDGET_S]
# Example: ICH_PHANTOM_SOURCES=$PWD/.gpucarry/sources training/gpu-train.sh "$OUT" large 300
#          training/gpu-train.sh /tmp/rehearsal tiny        (the CPU rehearsal, ~1 min)
# ICH_PHANTOM_SOURCES: folder written by `ichtrain pack-sources` (Colin27 and the GE series as
# .npz) for a machine that has neither ../shared nor nibabel/pydicom.
set -euo pipefail
if [ "${1:-}" = "" ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mkdir -p "$1" && cd "$1" && pwd)"
profile="${2:-large}"
budget="${3:-300}"
# a plain python3 holds the CUDA torch on the GPU machine; here Debian's is /usr/bin/python3
py="${ICH_PYTHON:-$(command -v python3)}"
if ! "$py" -c 'import torch, scipy' 2>/dev/null; then py=/usr/bin/python3; fi
export PYTHONUNBUFFERED=1 ICH_CACHE_UNCOMPRESSED=1
# the phantom cache stays out of OUT_DIR: only a few files come back from the GPU machine
export ICH_TRAIN_CACHE="${ICH_TRAIN_CACHE:-$(mktemp -d /tmp/ichtrain-cache.XXXXXX)}"
cd "$here"
"$py" -m ichtrain gpu-run --out "$out" --profile "$profile" --budget-s "$budget" ${ICH_DEADLINE_S:+--deadline-s "$ICH_DEADLINE_S"}
