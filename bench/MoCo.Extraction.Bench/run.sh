#!/usr/bin/env bash
# moco extract end to end vs pure inference (issue 10's goal: >= 80%). Usage, after build/setup.sh:
#   bench/MoCo.Extraction.Bench/run.sh [threads] [images] [batch] [resnet18|resnet50]
# Store reading rows/s (issue 20's goal: >= 1,000,000 rows/s of 128-d features through the IDataView):
#   bench/MoCo.Extraction.Bench/run.sh store-read [rows] [dim] [parquet|npy|both]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ "${1:-}" = store-read ]; then
  shift
  dotnet run -c Release --project "$here" -- store-read "${1:-1000000}" "${2:-128}" "${3:-both}"
else
  dotnet run -c Release --project "$here" -- "${1:-2}" "${2:-512}" "${3:-32}" "${4:-resnet50}"
fi
