#!/usr/bin/env bash
# Tiny-op benchmark: TorchSharp (C#) vs PyTorch (Python), same machine, 1 thread.
# Usage: bench/TorchSharp.Bench/run.sh [calls]   (after build/setup.sh)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dotnet run -c Release --project "$here" -- "${1:-100000}"
