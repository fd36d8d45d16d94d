#!/usr/bin/env bash
# Packs what test/gpu/run-on-device.sh needs on a GPU machine that has PyTorch but no .NET and no network:
#  - moco-external.tar.xz: the `moco` command published self-contained with -p:TorchSharpBackend=external, i.e.
#    TorchSharp's libLibTorchSharp.so without any libtorch (~30 MB): on the GPU machine it runs on the libtorch of
#    the machine's PyTorch (MOCO_LIBTORCH=.../torch/lib, CUDA included; docs/gpu.md). Left out: symbols, docs,
#    satellite resources, the debugger's libraries, SkiaSharp (ML.NET's image loading: not used by training) and
#    ONNX Runtime's libraries (its CUDA provider is 284 MB, ~71 MB with xz -9: it cannot travel with the rest).
#  - libtorchsharp-relocs.txt: libLibTorchSharp.so's undefined symbols with their relocation types, so the device
#    can tell which missing symbols stop the load (data: GLOB_DAT/64) and which only fail when called (JUMP_SLOT).
#  - fashion-mnist.tar.xz: Debian's Fashion-MNIST (dataset-fashion-mnist), unzipped IDX files (~26 MB).
#  - with PACK_ORT=1, ort-gpu.tar.xz: Microsoft.ML.OnnxRuntime.Gpu.Linux 1.31.0's libraries (the ort stage).
# Usage: [PACK_ORT=1] test/gpu/pack.sh [DEST]   (default: .gpu/ in this repository, git-ignored). Run after build/setup.sh.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
dest=${1:-$repo/.gpu}
mkdir -p "$dest"
if [ "$dest" = "$repo/.gpu" ]; then grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> "$(git rev-parse --git-path info/exclude)"; fi
publish=$(mktemp -d)
trap 'rm -rf "$publish" "$publish.log"' EXIT
dotnet publish src/MoCo.Cli -c Release -r linux-x64 --self-contained -p:PublishTrimmed=false -p:TorchSharpBackend=external \
  -o "$publish" -nologo -v quiet -clp:ErrorsOnly > "$publish.log" 2>&1 || { cat "$publish.log"; exit 1; }
[ -f "$publish/libLibTorchSharp.so" ] && [ ! -e "$publish/libtorch_cpu.so" ] || { echo "pack: the publish is not TorchSharp without libtorch" >&2; exit 1; }
readelf -rW "$publish/libLibTorchSharp.so" | awk '$3 ~ /^R_X86_64_/ && $5 != "" && $4 ~ /^0+$/ { print $3, $5 }' | sed 's/@.*//' | sort -u > "$dest/libtorchsharp-relocs.txt"
tar --exclude='*.pdb' --exclude='*.xml' --exclude='*.dbg' --exclude='./libonnxruntime*' --exclude=./libSkiaSharp.so \
    --exclude=./createdump --exclude=./libmscordaccore.so --exclude=./libmscordbi.so \
    --exclude=./cs --exclude=./de --exclude=./es --exclude=./fr --exclude=./it --exclude=./ja --exclude=./ko --exclude=./pl \
    --exclude=./pt-BR --exclude=./ru --exclude=./tr --exclude=./zh-Hans --exclude=./zh-Hant \
    -C "$publish" -cf - . | xz -9 -T0 > "$dest/moco-external.tar.xz"
if [ ! -f "$dest/fashion-mnist.tar.xz" ]; then
  data=$(mktemp -d)
  for f in /usr/share/datasets/fashion-mnist/*-ubyte.gz; do zcat "$f" > "$data/$(basename "$f" .gz)"; done
  tar -C "$data" -cf - . | xz -9 -T0 > "$dest/fashion-mnist.tar.xz"
  rm -rf "$data"
fi
# ONNX Runtime's CUDA build for the ort stage (PACK_ORT=1): 284 MB of CUDA provider, over 100 MB compressed, so it
# cannot travel in the same 64 MiB as the rest to a device tool's machine; for a GPU machine that can receive it.
if [ "${PACK_ORT:-0}" = 1 ]; then
  ort=${NUGET_PACKAGES:-$HOME/.nuget/packages}/microsoft.ml.onnxruntime.gpu.linux/1.31.0/runtimes/linux-x64/native
  [ -f "$ort/libonnxruntime_providers_cuda.so" ] || { echo "pack: no $ort (restore with -p:MoCoOnnxGpu=true first)" >&2; exit 1; }
  tar -C "$ort" -cf - libonnxruntime.so libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so | xz -9 -T0 > "$dest/ort-gpu.tar.xz"
fi
du -ch "$dest"/*
