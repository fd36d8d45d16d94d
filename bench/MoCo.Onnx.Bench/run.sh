#!/usr/bin/env bash
# ResNet-50 at 224x224 (torchvision, random weights, backbone features [N, 2048]): features per second through
# MoCo.Onnx's OnnxSession and through the official package's InferenceSession called directly (same ONNX Runtime,
# same file: the yardstick for our wrapper's overhead), and PyTorch eager; same thread count. They alternate for
# `rounds` rounds (on a shared machine, report the best round of each).
# Usage: bench/MoCo.Onnx.Bench/run.sh [threads] [rounds]   (after build/setup.sh)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
threads=${1:-2}
rounds=${2:-3}
specs=(1:20 32:4)
torch_specs=(1:10 32:1)  # PyTorch eager is ~10x slower at batch 32 here: one timed batch (after a warm-up one)
work="$repo/build/cache/bench-onnx"
mkdir -p "$work"

model="$work/resnet50.onnx"
[ -f "$model" ] || /usr/bin/python3 "$here/resnet50.py" export "$model"
tiny="$work/relu64.onnx"   # one ReLU on [N, 64]: the per-call cost of each path, with next to no work
[ -f "$tiny" ] || /usr/bin/python3 "$here/resnet50.py" export-tiny "$tiny"

dotnet build -c Release "$here" -nologo -v quiet -clp:ErrorsOnly >&2
for round in $(seq "$rounds"); do
  echo "round $round"
  dotnet "$here/bin/Release/net10.0/MoCo.Onnx.Bench.dll" "$tiny" 1 1:200000
  dotnet "$here/bin/Release/net10.0/MoCo.Onnx.Bench.dll" "$model" "$threads" "${specs[@]}"
  OMP_NUM_THREADS=$threads /usr/bin/python3 "$here/resnet50.py" time "$threads" "${torch_specs[@]}"
done
