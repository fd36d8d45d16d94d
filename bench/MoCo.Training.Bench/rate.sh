#!/usr/bin/env bash
# One figure for ../shared/tools/pair-bench: MoCo v2 pretraining images/s of a given moco.dll (to compare two builds).
# Usage: bench/MoCo.Training.Bench/rate.sh MOCO_DLL FIRST_FLAG [extra pretrain options]
#   FIRST_FLAG: --first (builds since issue 23) or --limit (builds before it); EPOCHS (default 2) epochs on the first
#   2,560 Fashion-MNIST images, 2 threads, the run.sh recipe; prints "images/s R", R the mean images_per_s of the
#   log's epochs after the first (the first pays for start-up).
# Example (docs/benchmarks.md, "Before and after issue 23's redesign"):
#   EPOCHS=4 ../shared/tools/pair-bench 4 'bench/MoCo.Training.Bench/rate.sh NEW/moco.dll --first --full-augmentation false' \
#                                         'bench/MoCo.Training.Bench/rate.sh OLD/moco.dll --limit'
set -euo pipefail
dll=$1; flag=$2; shift 2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
OMP_WAIT_POLICY=PASSIVE dotnet "$dll" pretrain --data fashion-mnist:train "$flag" 2560 --width 16 --small-images true \
  --symmetric true --bn-splits 8 --batch 256 --queue 4096 --momentum 0.99 --temperature 0.1 --lr 0.06 \
  --epochs "${EPOCHS:-2}" --threads 2 --out "$out/run" "$@" > /dev/null 2>&1
python3 - "$out/run/log.jsonl" <<'PY'
import json, sys
lines = [json.loads(line) for line in open(sys.argv[1])]
rates = [line["images_per_s"] for line in lines if "images_per_s" in line and line.get("epoch", 0) >= 1]
print("images/s", round(sum(rates) / len(rates), 1))
PY
