#!/usr/bin/env bash
# Where a MoCo training step's time goes, C# (TorchSharp) beside PyTorch 1.13 on the same work, run in back-to-back pairs
# so that a machine whose speed drifts still gives fair ratios (docs/benchmarks.md).
# Usage: bench/MoCo.Training.Bench/profile.sh [pairs] [steps] [threads]      (after build/setup.sh)
#        bench/MoCo.Training.Bench/profile.sh ops [repeats] [threads]        each layer's kernels, both layouts
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
bench="$repo/bench/MoCo.Training.Bench/bin/Release/net10.0/MoCo.Training.Bench.dll"
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
if [[ "${1:-}" == ops ]]; then
  repeats=${2:-15}; threads=${3:-2}
  for layout in 0 1; do
    dotnet "$bench" ops "$repeats" "$threads" "$layout"
    /usr/bin/python3 "$here/op_profile.py" "$repeats" "$threads" "$layout"
  done
  exit 0
fi
pairs=${1:-3}; steps=${2:-30}; threads=${3:-2}
for ((i = 1; i <= pairs; i++)); do
  dotnet "$bench" "$steps" "$threads"
  /usr/bin/python3 "$here/step_profile.py" "$steps" "$threads"
done
