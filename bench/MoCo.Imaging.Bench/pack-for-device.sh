#!/usr/bin/env bash
# Packs the imaging benchmark for a machine without .NET (the GPU machines lent to some sessions): a trimmed
# self-contained publish (SkiaSharp's libSkiaSharp.so included) and Debian's libturbojpeg, into .imgbench/ (git-ignored through
# .git/info/exclude). Run after build/setup.sh. On that machine, from the repository root (carry .imgbench):
#   mkdir -p /tmp/b && tar -xzf .imgbench/pub.tgz -C /tmp/b && export LD_LIBRARY_PATH=$PWD/.imgbench/lib
#   python3 bench/MoCo.Imaging.Bench/baseline.py make-jpegs /tmp/j 3000
#   /tmp/b/MoCo.Imaging.Bench jpeg /tmp/j 16; python3 bench/MoCo.Imaging.Bench/baseline.py jpeg /tmp/j 16
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
exclude=$(git rev-parse --git-path info/exclude) # .git is a file in a worktree
mkdir -p "$(dirname "$exclude")"
grep -qx '/.imgbench/' "$exclude" 2>/dev/null || echo '/.imgbench/' >> "$exclude"
publish=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$publish" "$log"' EXIT
dotnet publish bench/MoCo.Imaging.Bench -c Release -r linux-x64 --self-contained -p:PublishTrimmed=true -o "$publish" > "$log" \
  || { cat "$log"; exit 1; }
mkdir -p .imgbench/lib
tar -czf .imgbench/pub.tgz -C "$publish" .
cp -L /usr/lib/x86_64-linux-gnu/libturbojpeg.so.0 .imgbench/lib/
du -sh .imgbench
