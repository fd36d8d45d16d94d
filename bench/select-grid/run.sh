#!/usr/bin/env bash
# The label-selection grid of docs/select.md: for each label budget and method, `moco select` on a store of the 60,000
# Fashion-MNIST training images, then `moco probe --train LIST` (L-BFGS linear probe and kNN, fitted on the chosen
# images only) scored on the 10,000 test images. One row per run in $OUT/results.tsv (method, budget, seed, covering
# radius, classes among the picks, linear and kNN top-1); summary.py turns it into the table (mean ± sd over seeds).
# Runs already in results.tsv are skipped, so a killed grid resumes.
#
#   MODEL=encoder.onnx OUT=grid bench/select-grid/run.sh
#
# Environment: MODEL (the encoder, required), OUT (default select-grid), STORE (default $OUT/store; extracted with
# MODEL when missing), BUDGETS (default "10 50 100 500"), METHODS (default "kcenter random cluster typical"),
# SEEDS (default "0 1 2"; kcenter is deterministic and runs once), THREADS (extract's --threads, default 2).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here="$repo/bench/select-grid"
moco() { dotnet "$repo/src/MoCo.Cli/bin/Release/net10.0/moco.dll" "$@"; }
model=${MODEL:?MODEL=encoder.onnx}
out=${OUT:-select-grid}
store=${STORE:-$out/store}
budgets=${BUDGETS:-10 50 100 500}
methods=${METHODS:-kcenter random cluster typical}
seeds=${SEEDS:-0 1 2}
threads=${THREADS:-2}
mkdir -p "$out/lists" "$out/probes"
results="$out/results.tsv"
[ -f "$results" ] || printf 'method\tbudget\tseed\tradius\tclasses\tlinear_top1\tknn_top1\tselect_s\n' > "$results"

if [ ! -f "$store/manifest.db" ]; then
  echo "== extracting fashion-mnist:train with $model into $store"
  moco extract --model "$model" --data fashion-mnist:train --out "$store" --format npy --threads "$threads" --quiet
fi

for budget in $budgets; do
  for method in $methods; do
    for seed in $( [ "$method" = kcenter ] && echo - || echo $seeds ); do
      name="$method-$budget$( [ "$seed" = - ] || echo "-s$seed")"
      if awk -F'\t' -v m="$method" -v b="$budget" -v s="$seed" '$1==m && $2==b && $3==s { found=1 } END { exit !found }' "$results"; then
        continue
      fi
      list="$out/lists/$name.txt"
      started=$(date +%s.%N)
      moco select --store "$store" --budget "$budget" --method "$method" $( [ "$seed" = - ] || echo --seed "$seed") --out "$list" > "$out/lists/$name.log"
      select_s=$(echo "$(date +%s.%N) - $started" | bc)
      radius=$(sed -n 's/.*covering radius \([0-9.]*\).*/\1/p' "$out/lists/$name.log" | head -1)
      classes=$(python3 "$here/classes.py" "$list")
      moco probe --model "$model" --train "$list" --test fashion-mnist:test --trainer lbfgs --json --onnx-batch 256 \
        > "$out/probes/$name.json" 2> "$out/probes/$name.log"
      linear=$(sed -n 's/.*"linear_top1":\([0-9.eE+-]*\).*/\1/p' "$out/probes/$name.json" | tail -1)
      knn=$(sed -n 's/.*"knn_top1":\([0-9.eE+-]*\).*/\1/p' "$out/probes/$name.json" | tail -1)
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f\n' "$method" "$budget" "$seed" "$radius" "$classes" "$linear" "$knn" "$select_s" >> "$results"
      echo "$name: radius $radius, $classes classes, linear $linear, kNN $knn (select ${select_s}s)"
    done
  done
done
python3 "$here/summary.py" "$results"
