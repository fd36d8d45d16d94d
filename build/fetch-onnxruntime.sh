#!/usr/bin/env bash
# Fetches ONNX Runtime's native library (linux-x64 libonnxruntime.so.1) from the onnxruntime-node npm
# package into build/cache/onnxruntime/<version>/, verified by SHA-256. Idempotent: a second run with
# the library in place does nothing. `npm pack` only downloads the tarball: no install, no scripts.
# src/MoCo.Onnx/MoCo.Onnx.csproj copies the library next to the assemblies
# (runtimes/linux-x64/native/libonnxruntime.so.1).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=1.30.0
# SHA-256 of onnxruntime-node-1.30.0.tgz as served by registry.npmjs.org (observed 2026-11-23).
sha256=6e3390d6b783e7be946fad629292799da28d0b42f84856e50d2c1b0383291e75
cache="$repo/build/cache/onnxruntime/$version"
lib="$cache/lib/libonnxruntime.so.1"
log() { printf '[fetch-onnxruntime] %s\n' "$*" >&2; }

[ -f "$lib" ] && exit 0

mkdir -p "$cache"
tarball="$cache/onnxruntime-node-$version.tgz"
if [ ! -f "$tarball" ] || ! echo "$sha256  $tarball" | sha256sum -c --quiet - 2>/dev/null; then
  command -v npm >/dev/null || { log "npm is needed to fetch onnxruntime-node $version (apt-get install npm)"; exit 1; }
  log "downloading onnxruntime-node $version (npm pack, no install scripts)"
  rm -f "$tarball"
  (cd "$cache" && npm pack "onnxruntime-node@$version" --ignore-scripts --silent >/dev/null)
fi
if ! echo "$sha256  $tarball" | sha256sum -c --quiet -; then
  log "SHA-256 mismatch for $tarball: expected $sha256, got $(sha256sum "$tarball" | cut -d' ' -f1)"
  rm -f "$tarball"
  exit 1
fi

staging=$(mktemp -d "$cache/unpack.XXXXXX")
trap 'rm -rf "$staging"' EXIT
tar -xzf "$tarball" -C "$staging" package/bin/napi-v6/linux/x64/libonnxruntime.so.1
mkdir -p "$cache/lib"
# Atomic placement: a half-copied library never sits at the final path.
cp "$staging/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$lib.tmp"
mv "$lib.tmp" "$lib"
log "placed $lib"
