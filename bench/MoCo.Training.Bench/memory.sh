#!/usr/bin/env bash
# Resident memory of MoCo pretraining over many steps: `moco pretrain` (C#, TorchSharp) and the same work in PyTorch
# (moco_fmnist.py), the benchmark configuration of run.sh (narrow ResNet-18 width 16, batch 256, K 4096, symmetric,
# split BN 8), sampled every 2 s. Prints, per side, the RSS after the first tenth of the steps, at the end and the peak.
# Usage: bench/MoCo.Training.Bench/memory.sh [steps] [threads] [batch]   (after build/setup.sh; batch 256 by default; a
# smaller batch measures flatness over many steps in less time, the queue staying 4096)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
steps=${1:-2000}; threads=${2:-2}; batch=${3:-256}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
per_epoch=$(( 60000 / batch ))   # Fashion-MNIST's training images per batch
epochs=$(( (steps + per_epoch - 1) / per_epoch )); limit=$(( steps < per_epoch ? steps * batch : 60000 ))
common="--batch $batch --queue 4096 --momentum 0.99 --temperature 0.1 --lr 0.06 --epochs $epochs --threads $threads"

# Runs "$@", sampling its VmRSS (MB) every 2 s into $out/$name.rss; prints early/final/peak.
sample() {
  local name=$1; shift
  "$@" > "$out/$name.log" 2>&1 &
  local pid=$! rss
  : > "$out/$name.rss"
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status" 2>/dev/null || true)
    [ -n "$rss" ] && echo "$rss" >> "$out/$name.rss"
    sleep 2
  done
  wait "$pid" || { echo "$name failed:"; tail -5 "$out/$name.log"; return 1; }
  python3 - "$name" "$out/$name.rss" <<'PY'
import sys
r = [int(l) for l in open(sys.argv[2]) if l.strip()]
print(f"{sys.argv[1]}: {len(r)} samples, RSS after the first tenth {r[len(r) // 10]} MB, at the end {r[-1]} MB, peak {max(r)} MB")
PY
}

echo "== $steps steps of $batch images, $threads threads"
sample "C# (TorchSharp)" dotnet "$repo/src/MoCo.Cli/bin/Release/net10.0/moco.dll" pretrain --data fashion-mnist:train --first "$limit" \
  --width 16 --small-images true --symmetric true --bn-splits 8 $common --out "$out/run"
sample "PyTorch 1.13" /usr/bin/python3 "$here/moco_fmnist.py" --limit "$limit" --width 16 --bn-splits 8 --symmetric 1 $common --knn 0
