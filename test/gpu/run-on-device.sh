#!/usr/bin/env bash
# The GPU check and benchmarks, in one call on a machine with an NVIDIA GPU and a CUDA PyTorch but no .NET: `moco`,
# published by test/gpu/pack.sh without libtorch, runs on that PyTorch's own libtorch (MOCO_LIBTORCH=<torch>/lib,
# docs/gpu.md), and the PyTorch reference scripts run on the same libtorch and GPU. Usage, from the repository root:
#   test/gpu/run-on-device.sh [stage ...]
# Stages, in this order: env unpack ldd smoke fmnist r50 (the default), then r50det and ort on request. Each prints
# one "== stage: ..." line (also kept in $OUT/summary.txt); its full output goes to $OUT/<stage>.log (at most 8 files:
# a device tool's limit). Needs .gpu/ from test/gpu/pack.sh; the ort stage also .gpu/ort-gpu.tar.xz (see pack.sh).
# Environment: OUT (/tmp/moco-gpu), PY (python3), SMOKE_TIMEOUT (300 s), FM_EPOCHS (3), FM_DET_EPOCHS (1),
# FM_TIMEOUT (150 s a run), FM_LIMIT (60000 training images), R50_EPOCHS (3), R50_TIMEOUT (150 s a run); DEVICE (cuda:
# cpu rehearses the script where there is no GPU).
# Exits 1 when libLibTorchSharp.so cannot load against the device's libtorch or the smoke check fails.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
OUT=${OUT:-/tmp/moco-gpu}
PY=${PY:-python3}
mkdir -p "$OUT"
stages=${*:-env unpack ldd smoke fmnist r50}
work=/tmp/moco-gpu-work
moco=$work/moco/moco
mkdir -p "$work"
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 PYTHONUNBUFFERED=1
threads=$(nproc)
device=${DEVICE:-cuda}
has() { [[ " $stages " == *" $1 "* ]]; }
log() { echo "== $*" | tee -a "$OUT/summary.txt"; }
failed=0

torch_lib=$($PY -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null)
[ -n "$torch_lib" ] && [ -f "$torch_lib/libtorch_cpu.so" ] || { log "env: no PyTorch with a libtorch under $PY"; exit 1; }
export MOCO_LIBTORCH=$torch_lib
torch_version=$($PY -c 'import torch; print(torch.__version__)' 2>/dev/null)
# The CUDA libraries of the PyTorch wheel (nvidia-* packages): ORT's CUDA provider finds them through this path;
# libtorch_cuda finds them through its own RUNPATH.
nvidia_libs=$(find "$(dirname "$(dirname "$torch_lib")")/nvidia" -name 'lib*.so*' -printf '%h\n' 2>/dev/null | sort -u | paste -sd:)

if has env; then
  {
    echo "gpu: $(nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader 2>&1)"
    $PY -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(), "cxx11abi",
torch._C._GLIBCXX_USE_CXX11_ABI, "gpu", torch.cuda.get_device_name(0) if torch.cuda.is_available() else None, "git", torch.version.git_version)'
    echo "torch/lib: $torch_lib"; ls -la "$torch_lib"
    echo "nvidia library folders: $nvidia_libs"; tr ':' '\n' <<< "$nvidia_libs" | while read -r d; do [ -n "$d" ] && ls "$d"; done
    ldd --version | head -1
    $PY - <<'PY'
import re, subprocess
lib = next((l.split("=> ")[1] for l in subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout.splitlines() if "libstdc++.so.6 " in l and "x86-64" in l), None)
if lib:
    versions = sorted(set(re.findall(rb"GLIBCXX_3\.4\.(\d+)", open(lib, "rb").read())), key=int)
    print("libstdc++", lib, "newest GLIBCXX_3.4." + versions[-1].decode())
PY
    $PY -c 'import onnxruntime as o; print("onnxruntime (python)", o.__version__, o.get_available_providers())' 2>&1
    echo "cores $(nproc)"; free -g | head -2; uname -r
  } > "$OUT/env.log" 2>&1
  log "env: $(grep -m1 '^torch ' "$OUT/env.log") | $(grep -m1 '^gpu: ' "$OUT/env.log") | $(grep -m1 '^libstdc' "$OUT/env.log" | awk '{print $NF}')"
fi

if has unpack; then
  start=$SECONDS
  rm -rf "$work/moco" && mkdir -p "$work/moco" && tar -xJf .gpu/moco-external.tar.xz -C "$work/moco" || { log "unpack: FAILED"; exit 1; }
  # Debian's copy (gzipped), where there is one, is the same data.
  [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] ||
    { mkdir -p /usr/share/datasets/fashion-mnist && tar -xJf .gpu/fashion-mnist.tar.xz -C /usr/share/datasets/fashion-mnist; }
  log "unpack: $((SECONDS - start)) s; libtorch in the publish: $(ls "$work/moco" | grep -c '^libtorch') files (none expected)"
fi

if has ldd; then
  # Does TorchSharp's libLibTorchSharp.so (built against libtorch 2.10) resolve against this libtorch? Function symbols
  # (JUMP_SLOT) bind when first called, so a missing one fails only if called; the others stop the load.
  LD_LIBRARY_PATH=$torch_lib ldd -r "$work/moco/libLibTorchSharp.so" > "$OUT/ldd.log" 2>&1
  # ldd -r's lines: "undefined symbol: NAME<tab>(PATH)"; "weak version ... not found" is the libstdc++ need that
  # build/TorchSharpNative.targets made weak (harmless); "NAME => not found" is a missing library.
  awk '/^undefined symbol: .*libLibTorchSharp\.so\)$/ { print $3 }' "$OUT/ldd.log" | sort -u > "$work/missing.txt"
  grep -v JUMP_SLOT .gpu/libtorchsharp-relocs.txt | awk '{print $2}' | sort -u | comm -12 - "$work/missing.txt" > "$work/eager.txt"
  eager=$(wc -l < "$work/eager.txt")
  demangle() { if command -v c++filt > /dev/null; then c++filt; else cat; fi; }
  notfound=$(grep -c '=> not found' "$OUT/ldd.log")
  {
    echo "--- libtorch_cuda.so's own needs:"; LD_LIBRARY_PATH=$torch_lib ldd "$torch_lib/libtorch_cuda.so" 2>&1 | grep -E 'not found|cudnn|cublas|cudart'
    echo "--- missing symbols of libLibTorchSharp.so, demangled:"
    demangle < "$work/missing.txt"
  } >> "$OUT/ldd.log"
  log "ldd: $(wc -l < "$work/missing.txt") symbols of libLibTorchSharp.so missing from torch $torch_version's libtorch ($eager needed at load), $notfound libraries not found"
  if [ "$eager" -gt 0 ] || [ "$notfound" -gt 0 ]; then
    log "ldd: libLibTorchSharp.so cannot load against this libtorch; needed at load: $(head -5 "$work/eager.txt" | demangle | paste -sd';')"
    exit 1
  fi
fi

if has smoke; then
  timeout "${SMOKE_TIMEOUT:-300}" "$moco" smoke --device "$device" > "$OUT/smoke.log" 2>&1
  rc=$?
  if [ $rc -ne 0 ] && grep -q 'did not load' "$OUT/smoke.log" && [ -n "$nvidia_libs" ]; then
    # libtorch_cuda's RUNPATH did not reach a CUDA library: say so, then give the loader the wheel's nvidia/* folders.
    log "smoke: $(grep -m1 'did not load' "$OUT/smoke.log"); again with LD_LIBRARY_PATH at the wheel's nvidia libraries"
    export LD_LIBRARY_PATH=$nvidia_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    timeout "${SMOKE_TIMEOUT:-300}" "$moco" smoke --device "$device" > "$OUT/smoke.log" 2>&1
    rc=$?
  fi
  [ $rc -eq 0 ] || failed=1
  log "smoke: rc $rc | $(grep -m1 '^libtorch' "$OUT/smoke.log") | $(grep -m1 '^trained' "$OUT/smoke.log")"
  grep -E '^MoCo|^smoke|error|symbol' "$OUT/smoke.log" | tee -a "$OUT/summary.txt"
fi

# Images/s per epoch and the last kNN top-1, from our run's log.jsonl or PyTorch's printed JSON lines.
summary() {
  $PY - "$1" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
epochs = sorted({l["epoch"] for l in lines if "epoch" in l})
rate = {e: [l["images_per_s"] for l in lines if l.get("epoch") == e and "images_per_s" in l] for e in epochs}
knn = [l["knn_top1"] for l in lines if l.get("knn_top1") is not None]
print("images/s per epoch", [round(sum(rate[e]) / len(rate[e])) for e in epochs if rate[e]], "knn_top1", knn[-1] if knn else None)
PY
}

if has fmnist; then
  # bench/MoCo.Training.Bench's settings (narrow ResNet-18 width 16, symmetric loss, split BN 8, batch 256, K 4096).
  common="--batch 256 --queue 4096 --momentum 0.99 --temperature 0.1 --lr 0.06 --threads $threads --limit ${FM_LIMIT:-60000}"
  e=${FM_EPOCHS:-3}
  echo "### ours, cuDNN autotuning, $e epochs" > "$OUT/fmnist.log"
  timeout "${FM_TIMEOUT:-150}" "$moco" pretrain --data fashion-mnist:train --width 16 --small-images true --symmetric true --bn-splits 8 $common \
    --epochs "$e" --knn-data fashion-mnist:test --knn-limit 10000 --device "$device" --deterministic false --out "$work/fm-fast" >> "$OUT/fmnist.log" 2>&1
  log "fmnist ours (cudnn autotune): rc $? | $(summary "$work/fm-fast/log.jsonl" 2>&1)"
  echo "### pytorch, cudnn.benchmark, $e epochs" >> "$OUT/fmnist.log"
  timeout "${FM_TIMEOUT:-150}" $PY bench/MoCo.Training.Bench/moco_fmnist.py --device "$device" --cudnn-benchmark 1 --width 16 --bn-splits 8 --symmetric 1 \
    $common --epochs "$e" --knn-limit 10000 > "$work/fm-pytorch.log" 2>&1
  rc=$?; cat "$work/fm-pytorch.log" >> "$OUT/fmnist.log"
  log "fmnist pytorch (cudnn.benchmark): rc $rc | $(summary "$work/fm-pytorch.log" 2>&1)"
  d=${FM_DET_EPOCHS:-1}
  echo "### ours, deterministic (the default), $d epochs" >> "$OUT/fmnist.log"
  timeout "${FM_TIMEOUT:-150}" "$moco" pretrain --data fashion-mnist:train --width 16 --small-images true --symmetric true --bn-splits 8 $common \
    --epochs "$d" --device "$device" --out "$work/fm-det" >> "$OUT/fmnist.log" 2>&1
  log "fmnist ours (deterministic, the default): rc $? | $(summary "$work/fm-det/log.jsonl" 2>&1)"
fi

# 5,120 synthetic 224x224 gray images (IDX, in memory for training), written once.
synthetic224() {
  [ -f /tmp/syn224/train-labels-idx1-ubyte ] && return
  $PY - <<'PY'
import numpy as np, os
d = "/tmp/syn224"; os.makedirs(d, exist_ok=True); n = 5120
rng = np.random.default_rng(0)
with open(d + "/train-images-idx3-ubyte", "wb") as f:
    f.write(np.array([0x803, n, 224, 224], ">u4").tobytes()); f.write(rng.integers(0, 256, (n, 224, 224), np.uint8).tobytes())
with open(d + "/train-labels-idx1-ubyte", "wb") as f:
    f.write(np.array([0x801, n], ">u4").tobytes()); f.write((np.arange(n) % 10).astype(np.uint8).tobytes())
PY
}

r50=(pretrain --data idx:/tmp/syn224:train --arch resnet50 --width 64 --small-images false --bn-splits 8 --batch 256 --queue 65536
     --momentum 0.999 --temperature 0.2 --lr 0.03 --epochs "${R50_EPOCHS:-3}" --threads "$threads" --device "$device")

if has r50; then
  # ImageNet-shaped: ResNet-50 (7x7 stem, max-pool, width 64), 224x224 views, batch 256, K 65536, MoCo v2, split BN 8;
  # epochs of 20 steps; the first (cuDNN autotuning, allocator warm-up) is left out of the comparison.
  synthetic224
  echo "### ours, cuDNN autotuning" > "$OUT/r50.log"
  timeout "${R50_TIMEOUT:-150}" "$moco" "${r50[@]}" --deterministic false --out "$work/r50" >> "$OUT/r50.log" 2>&1
  log "r50 ours (cudnn autotune): rc $? | $(summary "$work/r50/log.jsonl" 2>&1)"
  echo "### pytorch, cudnn.benchmark" >> "$OUT/r50.log"
  timeout "${R50_TIMEOUT:-150}" $PY bench/MoCo.Training.Bench/moco_fmnist.py --device "$device" --cudnn-benchmark 1 --arch resnet50 --data /tmp/syn224 \
    --mean 0.5 --std 0.5 --bn-splits 8 --symmetric 0 --knn 0 --batch 256 --queue 65536 --momentum 0.999 --temperature 0.2 --lr 0.03 \
    --epochs "${R50_EPOCHS:-3}" --threads "$threads" > "$work/r50-pytorch.log" 2>&1
  rc=$?; cat "$work/r50-pytorch.log" >> "$OUT/r50.log"
  log "r50 pytorch (cudnn.benchmark): rc $rc | $(summary "$work/r50-pytorch.log" 2>&1)"
fi

if has r50det; then
  synthetic224
  echo "### ours, deterministic (the default)" >> "$OUT/r50.log"
  timeout "${R50_TIMEOUT:-150}" "$moco" "${r50[@]}" --out "$work/r50-det" >> "$OUT/r50.log" 2>&1
  log "r50 ours (deterministic, the default): rc $? | $(summary "$work/r50-det/log.jsonl" 2>&1)"
fi

if has ort; then
  # ONNX Runtime's CUDA build (Microsoft.ML.OnnxRuntime.Gpu.Linux's libonnxruntime*.so, from .gpu/ort-gpu.tar.xz)
  # in place of the CPU one, CUDA 13 and cuDNN 9 from the PyTorch wheel; TF32 off (NVIDIA_TF32_OVERRIDE=0) so the
  # features can be held to 1e-4 of the CPU's. Needs the r50 stage's checkpoint (ORT_CKPT and ORT_DATA: another).
  ckpt=${ORT_CKPT:-$work/r50/last.ckpt}
  if [ ! -f .gpu/ort-gpu.tar.xz ] || [ ! -f "$ckpt" ]; then
    log "ort: skipped (needs .gpu/ort-gpu.tar.xz and $ckpt)"
  else
    tar -xf .gpu/ort-gpu.tar.xz -C "$work/moco"
    rm -rf "$work/store-cpu" "$work/store-cuda"
    {
      "$moco" export --checkpoint "$ckpt" --out "$work/encoder.onnx" &&
      for ep in cpu cuda; do
        LD_LIBRARY_PATH=$nvidia_libs NVIDIA_TF32_OVERRIDE=0 timeout 150 "$moco" extract --model "$work/encoder.onnx" --data "${ORT_DATA:-idx:/tmp/syn224:train}" \
          --out "$work/store-$ep" --format npy --batch 64 --device "$ep" --quiet
      done
    } > "$OUT/ort.log" 2>&1
    rc=$?
    $PY - "$work/store-cpu" "$work/store-cuda" >> "$OUT/ort.log" 2>&1 <<'PY'
import glob, sys, numpy as np
a, b = (np.concatenate([np.load(f) for f in sorted(glob.glob(d + "/**/*.npy", recursive=True))]) for d in sys.argv[1:3])
print("ort features cuda vs cpu: max |a-b| / max |a|", float(np.abs(a - b).max() / np.abs(a).max()), "rows", len(a))
PY
    # The yardstick: PyTorch's eager forward of the same architecture on the same GPU (TF32 off), batch 64.
    $PY - >> "$OUT/ort.log" 2>&1 <<'PY'
import time, torch, torch.nn as nn, torchvision
torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.benchmark = True
net = torchvision.models.resnet50(); net.conv1 = nn.Conv2d(1, 64, 7, 2, 3, bias=False); net.fc = nn.Identity()
net = net.cuda().eval(); x = torch.randn(64, 1, 224, 224, device="cuda")
with torch.no_grad():
    for _ in range(5): net(x)
    torch.cuda.synchronize(); t = time.perf_counter()
    for _ in range(30): net(x)
    torch.cuda.synchronize()
print("pytorch eager forward images/s", round(30 * 64 / (time.perf_counter() - t)))
PY
    log "ort: rc $rc | $(grep -E '^done:|features cuda|eager forward' "$OUT/ort.log" | tr '\n' ' ')"
  fi
fi
exit "$failed"
