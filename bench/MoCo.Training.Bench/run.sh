#!/usr/bin/env bash
# MoCo v2 pretraining on Fashion-MNIST: `moco pretrain` (C#, TorchSharp) vs the same work in PyTorch
# (moco_fmnist.py), same machine and threads. Narrow ResNet-18 (3x3 stem, width 16, 1 channel), batch 256, K 4096,
# m 0.99, tau 0.1, symmetric loss, split BN over 8 sub-batches, lr 0.06, cosine. The C# side runs with
# --full-augmentation false: the PyTorch reference (fmnist_reference.py) has no Gaussian blur or hue, which v2 runs on
# IDX data have had since issue 23, so this keeps the two sides doing the same work.
# Usage: bench/MoCo.Training.Bench/run.sh [limit] [epochs] [threads]   (after build/setup.sh)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
limit=${1:-60000}; epochs=${2:-1}; threads=${3:-2}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
common="--batch 256 --queue 4096 --momentum 0.99 --temperature 0.1 --lr 0.06 --epochs $epochs --threads $threads"
echo "== MoCo.MLNet (C#)"
dotnet "$repo/src/MoCo.Cli/bin/Release/net10.0/moco.dll" pretrain --data fashion-mnist:train --first "$limit" --width 16 \
  --small-images true --symmetric true --bn-splits 8 --full-augmentation false $common --knn-data fashion-mnist:test --knn-first 10000 --out "$out/run" \
  | tr '\r' '\n' | grep -E "kNN|wrote"
python3 - "$out/run/log.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
rates = [l["images_per_s"] for l in lines if "images_per_s" in l]
print("C# images/s (mean over log intervals):", round(sum(rates) / len(rates), 1))
PY
echo "== PyTorch (Python)"
/usr/bin/python3 "$here/moco_fmnist.py" --limit "$limit" --epochs "$epochs" --threads "$threads" --width 16 --bn-splits 8 \
  --symmetric 1 --batch 256 --queue 4096 --momentum 0.99 --temperature 0.1 --lr 0.06 --knn-limit 10000
