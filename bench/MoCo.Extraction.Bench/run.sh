#!/usr/bin/env bash
# moco extract end to end vs pure inference (issue 10's goal: >= 80%). Usage, after build/setup.sh:
#   bench/MoCo.Extraction.Bench/run.sh [threads] [images] [batch] [resnet18|resnet50]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dotnet run -c Release --project "$here" -- "${1:-2}" "${2:-512}" "${3:-32}" "${4:-resnet50}"
