#!/usr/bin/env bash
# The GPU check and benchmarks, in one call on a machine with an NVIDIA GPU and PyTorch (the benchmarks' reference),
# without .NET. Needs .gpu/ from test/gpu/pack.sh (`moco` published self-contained with TorchSharp-cuda-linux). Usage, from the repository root:
#   test/gpu/run-on-device.sh [stage ...]   stages: env build smoke fmnist r50 r50det (default: all but r50det, in that order)
# Environment: FM_EPOCHS (6), FM_DET_EPOCHS (2: ours with deterministic kernels, speed only), FM_TIMEOUT (240 s per
# run), R50_EPOCHS (3), R50_TIMEOUT (200 s per side). At most 8 files land in $OUT (a device tool's limit).
# Logs go to $OUT (default /tmp/moco-gpu); each stage prints one summary line to stdout ("== stage: ..."). Exits 1
# when the build or the smoke check fails.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
OUT=${OUT:-/tmp/moco-gpu}
mkdir -p "$OUT"
stages=${*:-env build smoke fmnist r50}
work=/tmp/moco-gpu-work
moco=$work/moco/moco
mkdir -p "$work"
export PATH=$PATH:/usr/local/cuda/bin
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 PYTHONUNBUFFERED=1
threads=$(nproc)
has() { [[ " $stages " == *" $1 "* ]]; }
log() { echo "== $*"; }

if has env; then
  {
    nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv
    python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(),
"cxx11abi", torch._C._GLIBCXX_USE_CXX11_ABI, torch.cuda.get_device_name(0)); print(torch.utils.cmake_prefix_path)'
    nvcc --version 2>/dev/null | tail -2; nproc; free -g | head -2
  } > "$OUT/setup.log" 2>&1
  log "env: $(grep -m1 '^torch' "$OUT/setup.log") | $(sed -n 2p "$OUT/setup.log")"
fi

if has build; then
  # The payload is `moco` published self-contained with TorchSharp's CUDA packages (test/gpu/pack.sh): nothing to compile.
  start=$SECONDS
  rm -rf "$work/moco" && mkdir -p "$work/moco" && tar -xJf .gpu/moco-linux-x64-cuda.tar.xz -C "$work/moco" || { log "unpack: FAILED"; exit 1; }
  mkdir -p /usr/share/datasets/fashion-mnist && tar -xJf .gpu/fashion-mnist.tar.xz -C /usr/share/datasets/fashion-mnist
  log "build: unpacked in $((SECONDS - start)) s: $(ls "$work/moco" | grep -c '^libtorch') libtorch libraries, torch_cuda $(ls "$work/moco" | grep -c torch_cuda)"
fi

if has smoke; then
  "$moco" smoke --device cuda > "$OUT/smoke.log" 2>&1
  rc=$?
  [ $rc -eq 0 ] || failed=1
  log "smoke: rc $rc | $(grep -E '^libtorch' "$OUT/smoke.log") | $(grep -E '^trained' "$OUT/smoke.log")"
  grep -E "^MoCo|^smoke|error" "$OUT/smoke.log"
fi

# Images/s of an epoch (mean over its log intervals) from a run's log.jsonl; kNN top-1 after the last epoch.
summary() {
  python3 - "$1" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
last = max(l["epoch"] for l in lines)
rate = lambda e: [l["images_per_s"] for l in lines if l.get("epoch") == e and "images_per_s" in l]
knn = [l["knn_top1"] for l in lines if "knn_top1" in l]
print("epochs", last + 1, "images/s per epoch", [round(sum(rate(e)) / len(rate(e))) for e in range(last + 1) if rate(e)],
      "knn_top1", knn[-1] if knn else None)
PY
}

if has fmnist; then
  # bench/MoCo.Training.Bench's settings (narrow ResNet-18, symmetric loss, split BN 8), 6 epochs as build/demo.sh.
  common="--batch 256 --queue 4096 --momentum 0.99 --temperature 0.1 --lr 0.06 --epochs ${FM_EPOCHS:-6} --threads $threads"
  timeout "${FM_TIMEOUT:-240}" "$moco" pretrain --data fashion-mnist:train --width 16 --small-images true --symmetric true --bn-splits 8 $common \
    --knn-data fashion-mnist:test --knn-limit 10000 --device cuda --deterministic false --out "$work/fm-fast" > "$OUT/fm-ours.log" 2>&1
  log "fmnist ours (cudnn autotune): rc $? | $(summary "$work/fm-fast/log.jsonl")"
  timeout "${FM_TIMEOUT:-240}" python3 bench/MoCo.Training.Bench/moco_fmnist.py --device cuda --cudnn-benchmark 1 --width 16 --bn-splits 8 --symmetric 1 \
    $common --knn-limit 10000 > "$OUT/fm-pytorch.log" 2>&1
  log "fmnist pytorch (cudnn.benchmark): rc $? | $(tail -1 "$OUT/fm-pytorch.log")"
  common=${common/--epochs ${FM_EPOCHS:-6}/--epochs ${FM_DET_EPOCHS:-2}}
  timeout "${FM_TIMEOUT:-240}" "$moco" pretrain --data fashion-mnist:train --width 16 --small-images true --symmetric true --bn-splits 8 $common \
    --device cuda --out "$work/fm-det" > "$OUT/fm-ours-det.log" 2>&1
  log "fmnist ours (deterministic, the default): rc $? | $(summary "$work/fm-det/log.jsonl")"
fi

# 5,120 synthetic 224x224 gray images (IDX, in memory for training), written once.
synthetic224() {
  [ -f /tmp/syn224/train-labels-idx1-ubyte ] && return
  python3 - <<'PY'
import numpy as np, os
d = "/tmp/syn224"; os.makedirs(d, exist_ok=True); n = 5120
rng = np.random.default_rng(0)
with open(d + "/train-images-idx3-ubyte", "wb") as f:
    f.write(np.array([0x803, n, 224, 224], ">u4").tobytes()); f.write(rng.integers(0, 256, (n, 224, 224), np.uint8).tobytes())
with open(d + "/train-labels-idx1-ubyte", "wb") as f:
    f.write(np.array([0x801, n], ">u4").tobytes()); f.write((np.arange(n) % 10).astype(np.uint8).tobytes())
PY
}

if has r50; then
  # ImageNet-shaped: ResNet-50 (7x7 stem, max-pool, width 64), 224x224 views, batch 256, K 65536, MoCo v2 defaults, split BN 8;
  # 5,120 synthetic 224x224 gray images in memory (IDX), epochs of 20 steps; the first (cuDNN autotuning) is left out.
  synthetic224
  common="--batch 256 --queue 65536 --momentum 0.999 --temperature 0.2 --lr 0.03 --epochs ${R50_EPOCHS:-3} --threads $threads"
  timeout "${R50_TIMEOUT:-200}" "$moco" pretrain --data idx:/tmp/syn224:train --arch resnet50 --width 64 --small-images false --bn-splits 8 $common \
    --device cuda --deterministic false --out "$work/r50" > "$OUT/r50-ours.log" 2>&1
  log "r50 ours (cudnn autotune): rc $? | $(summary "$work/r50/log.jsonl")"
  timeout "${R50_TIMEOUT:-200}" python3 bench/MoCo.Training.Bench/moco_fmnist.py --device cuda --cudnn-benchmark 1 --arch resnet50 --data /tmp/syn224 \
    --mean 0.5 --std 0.5 --bn-splits 8 --symmetric 0 --knn 0 $common > "$OUT/r50-pytorch.log" 2>&1
  log "r50 pytorch (cudnn.benchmark): rc $? | $(tail -1 "$OUT/r50-pytorch.log")"
fi

if has r50det; then
  # The same ResNet-50 run with deterministic kernels (the default): the cost of determinism where the GPU is the bottleneck.
  synthetic224
  timeout "${R50_TIMEOUT:-200}" "$moco" pretrain --data idx:/tmp/syn224:train --arch resnet50 --width 64 --small-images false --bn-splits 8 \
    --batch 256 --queue 65536 --momentum 0.999 --temperature 0.2 --lr 0.03 --epochs "${R50_EPOCHS:-3}" --threads "$threads" \
    --device cuda --out "$work/r50-det" > "$OUT/r50-ours-det.log" 2>&1
  log "r50 ours (deterministic, the default): rc $? | $(summary "$work/r50-det/log.jsonl")"
fi
exit "${failed:-0}"
