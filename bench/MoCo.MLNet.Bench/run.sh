#!/usr/bin/env bash
# Issue 23's figure, in one command: MoCoFeatures (decoding included) against ONNX Runtime alone on pre-decoded float
# batches, same encoder, files, threads and run, for both cases:
#   A. ResNet-18 (ImageNet stem) at 224 on JPEGs 500x375 (bench/MoCo.Imaging.Bench/baseline.py make-jpegs), batch 32;
#   B. the Fashion-MNIST encoder (ResNet-18 width 16, gray 28) on 28x28 PNGs (Fashion-MNIST's test images), batch 256.
# Each prints "moco / ort" (the goal line: >= 0.90) and the profile rows. With "full" the 224 case also runs ML.NET's
# ApplyOnnxModel / DnnFeaturizeImage comparison rows (issue 9's table).
# Usage: bench/MoCo.MLNet.Bench/run.sh [threads 2] [rounds 5] [jpegs 320] [pngs 8192] [full]   (after build/setup.sh)
# Makes the images and the encoders once, under /tmp/moco-mlnet-bench.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
threads=${1:-2}
rounds=${2:-5}
jpegs=${3:-320}
pngs=${4:-8192}
full=${5:-}
root=/tmp/moco-mlnet-bench
mkdir -p "$root"
dotnet build "$here" -c Release -nologo -v quiet -clp:ErrorsOnly
dll=$here/bin/Release/net10.0/MoCo.MLNet.Bench.dll
[ -d "$root/jpegs-$jpegs" ] || /usr/bin/python3 "$here/../MoCo.Imaging.Bench/baseline.py" make-jpegs "$root/jpegs-$jpegs" "$jpegs"
[ -d "$root/pngs28-$pngs" ] || dotnet "$dll" pngs "$root/pngs28-$pngs" "$pngs"
[ -f "$root/resnet18-224.onnx" ] || dotnet "$dll" export "$root/resnet18-224.onnx"
[ -f "$root/fmnist-r18w16-28.onnx" ] || dotnet "$dll" export-fmnist "$root/fmnist-r18w16-28.onnx"
profile=ort,ort:nospin,decode,step,core,feat,feat:overlap,feat:inline,moco,moco:overlap,moco:$threads:$threads:spin,moco:1:$threads
a_paths=$profile
[ "$full" = full ] && a_paths=$profile,ort1,onnx,mlimg,dnn
echo "== A: ResNet-18 at 224, $jpegs JPEGs 500x375, batch 32"
dotnet "$dll" run "$root/resnet18-224.onnx" "$root/jpegs-$jpegs" "$threads" 32 "$rounds" 64 "$a_paths"
echo "== B: Fashion-MNIST encoder at 28, $pngs PNGs 28x28 gray, batch 256"
dotnet "$dll" run "$root/fmnist-r18w16-28.onnx" "$root/pngs28-$pngs" "$threads" 256 "$rounds" 0 "$profile"
