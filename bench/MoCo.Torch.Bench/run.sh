#!/usr/bin/env bash
# Tiny-op benchmark: MoCo.Torch (C#) vs PyTorch (Python) vs libtorch from C++ (the floor), same machine, 1 thread.
# Usage: bench/MoCo.Torch.Bench/run.sh [calls]   (after build/setup.sh)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out="$repo/build/native/bench"
mkdir -p "$out"
if [ ! -x "$out/tiny_op_floor" ] || [ "$here/tiny_op_floor.cpp" -nt "$out/tiny_op_floor" ]; then
  g++ -O2 -std=c++17 "$here/tiny_op_floor.cpp" -I/usr/include/torch/csrc/api/include -ltorch_cpu -lc10 -o "$out/tiny_op_floor"
fi
dotnet run -c Release --project "$here" -- "${1:-100000}" "$out/tiny_op_floor"
