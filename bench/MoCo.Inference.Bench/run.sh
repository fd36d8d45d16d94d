#!/usr/bin/env bash
# Feature-extraction throughput (issue 5's benchmark rows beyond bench/MoCo.Onnx.Bench): the Fashion-MNIST encoder
# at 28x28 batch 256 and ResNet-50 at 224 (batch 1, 32): ORT through OnnxSession on our exported file, libtorch eval
# through TorchSharp, PyTorch eager. Usage: bench/MoCo.Inference.Bench/run.sh [threads]   (after build/setup.sh)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
threads=${1:-2}
dotnet run -c Release --project "$here" -- "$threads"
/usr/bin/python3 "$here/eager.py" "$threads"
