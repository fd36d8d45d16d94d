#!/usr/bin/env bash
# Packs what test/gpu/run-on-device.sh needs on a GPU machine that has PyTorch but no .NET and no network: the `moco`
# command published self-contained with TorchSharp's CUDA packages (-p:TorchSharpBackend=cuda: TorchSharp-cuda-linux
# and its libtorch-cuda packages, which this machine's NuGet source must serve; several GB), and Debian's
# Fashion-MNIST. Writes .gpu/ (git-ignored through .git/info/exclude). Run after build/setup.sh.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
mkdir -p .gpu
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
publish=$(mktemp -d)
trap 'rm -rf "$publish"' EXIT
dotnet publish src/MoCo.Cli -c Release -r linux-x64 --self-contained -p:PublishTrimmed=false -p:TorchSharpBackend=cuda -o "$publish" > "$publish.log" \
  || { cat "$publish.log"; exit 1; }
rm -f "$publish.log"
tar --exclude=./runtimes --exclude='./libonnxruntime*' --exclude='*.pdb' --exclude='*.xml' -C "$publish" -cf - . | xz -9 -T0 > .gpu/moco-linux-x64-cuda.tar.xz
if [ ! -f .gpu/fashion-mnist.tar.xz ]; then
  data=$(mktemp -d)
  for f in /usr/share/datasets/fashion-mnist/*-ubyte.gz; do zcat "$f" > "$data/$(basename "$f" .gz)"; done
  tar -C "$data" -cf - . | xz -9 -T0 > .gpu/fashion-mnist.tar.xz
  rm -rf "$data"
fi
du -ch .gpu/*.tar.xz
