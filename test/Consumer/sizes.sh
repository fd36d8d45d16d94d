#!/usr/bin/env bash
# Measures what each package costs a user (docs/install.md): the .nupkg, the packages NuGet restores for it (all
# platforms, as they lie in the NuGet cache: extracted files, without the .nupkg copies), and a framework-dependent
# linux-x64 publish of a console program that references it (what ships). Also the moco tool's installed folder.
# Run after build/pack.sh (and test/Consumer/run.sh, which installs the tool). Restores from NuGet where not cached.
# Usage: test/Consumer/sizes.sh   (prints a markdown table)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
packages="$repo/artifacts/packages"
version=$(basename "$(ls "$packages"/MoCo.MLNet.[0-9]*.nupkg | head -n 1)" .nupkg)
version=${version#MoCo.MLNet.}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
globals=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
mb() { python3 -c "import sys; print(f'{int(sys.argv[1]) / 1e6:.1f} MB')" "$1"; }

echo "| package | .nupkg | restored with dependencies (all platforms) | linux-x64 publish |"
echo "| --- | --- | --- | --- |"
for id in MoCo.Onnx MoCo.Imaging MoCo.Evaluation MoCo.MLNet MoCo.Training; do
  dir="$work/$id"
  mkdir -p "$dir"
  cat > "$dir/nuget.config" <<XML
<configuration><packageSources><clear /><add key="local" value="$packages" /><add key="nuget.org" value="https://api.nuget.org/v3/index.json" /></packageSources></configuration>
XML
  cat > "$dir/App.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><NoWarn>NU1603</NoWarn></PropertyGroup>
  <ItemGroup><PackageReference Include="$id" Version="$version" /></ItemGroup>
</Project>
XML
  echo 'System.Console.WriteLine();' > "$dir/Program.cs"
  for lower in moco.mlnet moco.onnx moco.imaging moco.evaluation moco.training; do rm -rf "${globals%/}/$lower/$version"; done
  dotnet publish "$dir/App.csproj" -c Release -r linux-x64 --self-contained false -nologo -v q -o "$dir/out" > "$dir/publish.log" 2>&1 \
    || { tail -n 20 "$dir/publish.log" >&2; exit 1; }
  restored=$(python3 - "$dir/obj/project.assets.json" "$globals" <<'PY'
import json, os, sys
assets = json.load(open(sys.argv[1]))
total = 0
for name, library in assets["libraries"].items():
    if library["type"] != "package":
        continue
    root = os.path.join(sys.argv[2], library["path"])
    total += sum(os.path.getsize(os.path.join(root, f)) for f in library["files"] if not f.endswith((".nupkg", ".sha512")))
print(total)
PY
)
  published=$(du -sb "$dir/out" | cut -f1)
  nupkg=$(stat -c %s "$packages/$id.$version.nupkg")
  echo "| $id | $(mb "$nupkg") | $(mb "$restored") | $(mb "$published") |"
done
tool=$(stat -c %s "$packages/MoCo.MLNet.Cli.$version.nupkg")
installed="${globals%/}/moco.mlnet.cli/$version"
if [ -d "$installed" ]; then
  echo "| MoCo.MLNet.Cli (tool) | $(mb "$tool") | installed: $(mb "$(du -sb --exclude='*.nupkg' "$installed" | cut -f1)") (linux-x64 only, libtorch included) | |"
else
  echo "| MoCo.MLNet.Cli (tool) | $(mb "$tool") | (install it first: test/Consumer/run.sh) | |"
fi
