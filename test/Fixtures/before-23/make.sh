#!/usr/bin/env bash
# Makes the files in this folder with the moco of the commit before issue 23 (a63a184), so that tests can check that
# models, saved ML.NET models and stores written before the encoder-metadata contract keep loading and give the same
# preprocessing and features. Run from the repository root of a Release build of that commit:
#   MOCO_ROOT=/path/to/that/checkout test/Fixtures/before-23/make.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=${MOCO_ROOT:-$(pwd)}
moco() { dotnet "$root/src/MoCo.Cli/bin/Release/net10.0/moco.dll" "$@"; }
loadcheck() { dotnet "$root/test/MoCo.MLNet.LoadCheck/bin/Release/net10.0/MoCo.MLNet.LoadCheck.dll" "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$here"
rm -rf images rgb32.onnx rgb32-uint8.onnx gray28.onnx probe store *.txt *.bin
python3 make_images.py images
# RGB image files: ImageNet mean/std, resize round(32*256/224) = 37; width 2 keeps the files small.
moco pretrain --data images --input-size 32 --small-images false --width 2 --batch 4 --queue 8 --bn-splits 2 --epochs 1 --threads 1 --workers 1 --seed 1 --out "$work/rgb" > /dev/null
moco export --checkpoint "$work/rgb/last.ckpt" --out rgb32.onnx > /dev/null
moco export --checkpoint "$work/rgb/last.ckpt" --out rgb32-uint8.onnx --uint8-input --normalize > /dev/null
# Fashion-MNIST (gray, 28 px, small-image stem: resize = input size, its own mean/std).
moco pretrain --data fashion-mnist:train --limit 32 --width 2 --batch 8 --queue 16 --bn-splits 2 --epochs 1 --threads 1 --seed 1 --out "$work/gray" > /dev/null
moco export --checkpoint "$work/gray/last.ckpt" --out gray28.onnx --fold-bn > /dev/null
# What `moco info` printed for each model, and the image list (relative to this folder).
for m in rgb32 rgb32-uint8 gray28; do moco info $m.onnx > $m.info.txt; done
find images -name '*.png' | sort > paths.txt
# A store (npy) of the RGB model's features, and a probe model zip (MoCoFeatures + SDCA) with its features.
moco extract --model rgb32.onnx --data images --out store --format npy --batch 4 --threads 1 --quiet > /dev/null
rm -f store/*.log
moco probe --model rgb32.onnx --train images --trainer sdca --split 0.5 --batch 4 --out "$work/probe" > /dev/null
mkdir -p probe && cp "$work/probe/model.zip" probe/model.zip
loadcheck probe/model.zip paths.txt probe/features.bin --bytes
ls -la . store probe
