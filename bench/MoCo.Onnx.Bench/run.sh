#!/usr/bin/env bash
# ResNet-50 at 224x224 (torchvision, random weights, backbone features [N, 2048]): features per second through
# our binding, through onnxruntime-node (same libonnxruntime, same file: the yardstick for our overhead), and
# PyTorch eager; same thread count. The three alternate for `rounds` rounds (this machine is shared: report the
# best round of each). Usage: bench/MoCo.Onnx.Bench/run.sh [threads] [rounds]   (after build/setup.sh)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
threads=${1:-2}
rounds=${2:-3}
specs=(1:20 32:4)
torch_specs=(1:10 32:1)  # PyTorch eager is ~20x slower at batch 32 here: one timed batch (after a warm-up one)
cache="$repo/build/cache/onnxruntime/1.30.0"
work="$repo/build/cache/bench-onnx"
mkdir -p "$work"

# onnxruntime-node needs its JS wrapper and onnxruntime-common; unpack both (no install scripts).
node_modules="$cache/node/node_modules"
if [ ! -f "$node_modules/onnxruntime-common/package.json" ]; then
  common_sha=7906c439e0d3e0f4048caa23b64cdfadc0f455c377f579ce1ab2a4b778f07d5f
  (cd "$cache" && npm pack onnxruntime-common@1.30.0 --ignore-scripts --silent >/dev/null)
  echo "$common_sha  $cache/onnxruntime-common-1.30.0.tgz" | sha256sum -c --quiet -
  mkdir -p "$node_modules/onnxruntime-node" "$node_modules/onnxruntime-common"
  tar -xzf "$cache/onnxruntime-node-1.30.0.tgz" -C "$node_modules/onnxruntime-node" --strip-components=1 \
    package/package.json package/dist package/bin/napi-v6/linux/x64
  tar -xzf "$cache/onnxruntime-common-1.30.0.tgz" -C "$node_modules/onnxruntime-common" --strip-components=1
fi

model="$work/resnet50.onnx"
[ -f "$model" ] || /usr/bin/python3 "$here/resnet50.py" export "$model"

dotnet build -c Release "$here" -nologo -v quiet -clp:ErrorsOnly >&2
for round in $(seq "$rounds"); do
  echo "round $round"
  dotnet "$here/bin/Release/net10.0/MoCo.Onnx.Bench.dll" "$model" "$threads" "${specs[@]}"
  NODE_PATH="$node_modules" node "$here/ort_node.js" "$model" "$threads" "${specs[@]}"
  OMP_NUM_THREADS=$threads /usr/bin/python3 "$here/resnet50.py" time "$threads" "${torch_specs[@]}"
done
