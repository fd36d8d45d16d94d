#!/usr/bin/env bash
# Packs what a .NET user installs (docs/install.md) into artifacts/packages: the libraries MoCo.Onnx, MoCo.Imaging,
# MoCo.Evaluation, MoCo.MLNet and MoCo.Training (each a .nupkg and a .snupkg of symbols) and the moco tool
# (MoCo.MLNet.Cli). Benches, tests, MoCo.Extraction (internal API) and moco-plots are not packable.
# A CI build (ContinuousIntegrationBuild: source paths mapped, deterministic); where the last build was one already
# (CI=true, Directory.Build.props), nothing is compiled again. Prints each package and its size.
# Usage: build/pack.sh [OUT]   (default artifacts/packages; emptied first)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$repo/artifacts/packages}
cd "$repo"

projects=(src/MoCo.Onnx src/MoCo.Imaging src/MoCo.Evaluation src/MoCo.MLNet src/MoCo.Training src/MoCo.Cli)
rm -rf "$out"
mkdir -p "$out"
for project in "${projects[@]}"; do
  printf '[pack] %s\n' "$project" >&2
  dotnet pack "$project" -c Release -o "$out" -nologo -v quiet -clp:ErrorsOnly \
    -p:ContinuousIntegrationBuild=true >&2
done

# Exactly the expected packages, each with its symbols, and nothing else.
expected=(MoCo.Onnx MoCo.Imaging MoCo.Evaluation MoCo.MLNet MoCo.Training MoCo.MLNet.Cli)
version=$(dotnet msbuild src/MoCo.MLNet -getProperty:Version -nologo)
status=0
for id in "${expected[@]}"; do
  for ext in nupkg snupkg; do
    [ -f "$out/$id.$version.$ext" ] || { echo "pack: missing $id.$version.$ext" >&2; status=1; }
  done
done
found=$(find "$out" -maxdepth 1 -name '*.nupkg' | wc -l)
[ "$found" -eq "${#expected[@]}" ] || { echo "pack: $found packages in $out, expected ${#expected[@]}" >&2; status=1; }
for f in "$out"/*.nupkg "$out"/*.snupkg; do
  printf '%10s  %s\n' "$(du -k "$f" | cut -f1) KB" "$(basename "$f")"
done
exit $status
