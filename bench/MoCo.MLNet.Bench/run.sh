#!/usr/bin/env bash
# Issue 9's benchmark: MoCoFeatures end to end vs ML.NET's LoadImages → ResizeImages → ExtractPixels → ApplyOnnxModel
# on the same exported ResNet-18 and the same JPEGs, vs DnnFeaturizeImage (ResNet18 package) and ORT alone.
# Usage: bench/MoCo.MLNet.Bench/run.sh [threads 2] [images 320] [rounds 3] [batch 32]   (after build/setup.sh)
# Makes the JPEGs (500x375, quality 90, bench/MoCo.Imaging.Bench/baseline.py) and the encoder once, under /tmp.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
threads=${1:-2}
images=${2:-320}
rounds=${3:-3}
batch=${4:-32}
data=/tmp/moco-mlnet-bench/jpegs-$images
model=/tmp/moco-mlnet-bench/resnet18-224.onnx
if [ ! -d "$data" ]; then
  /usr/bin/python3 "$here/../MoCo.Imaging.Bench/baseline.py" make-jpegs "$data" "$images"
fi
dotnet build "$here" -c Release -nologo -v quiet -clp:ErrorsOnly
dll=$here/bin/Release/net10.0/MoCo.MLNet.Bench.dll
[ -f "$model" ] || dotnet "$dll" export "$model"
dotnet "$dll" run "$model" "$data" "$threads" "$batch" "$rounds"
