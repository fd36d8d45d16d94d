#!/usr/bin/env bash
# The consumer test: what a .NET user gets from the packages (docs/install.md), on a clean clone.
#  1. build/pack.sh packs into artifacts/packages (skipped when MOCO_SKIP_PACK=1 and the folder has packages).
#  2. This folder's program, a user's console project, restores MoCo.MLNet from there plus the normal NuGet source and
#     builds twice: ML.NET 5.0.1 + ONNX Runtime 1.31.1 (-p:MLNetLine=5) and ML.NET 6.0.0 + ONNX Runtime 1.32.0 (6).
#  3. `moco` installed as a local tool from artifacts/packages runs `moco smoke`, then makes the encoder the program
#     uses (`moco pretrain` for one epoch on the program's pictures, `moco export`), then `moco extract`, `moco probe` and
#     `moco ablate` (its figures).
#     A second program references MoCo.Training: libtorch loads, and ONNX Runtime agrees with libtorch on its export.
#  4. Each build runs the README's pipeline (features from paths, MLImage and bytes, the JPEG MLImage path, a trainer,
#     save) and loads the model in a new process (equal predictions).
# Every step and check prints "PASS name: ..." or "FAIL name: ..."; the last line is "consumer checks: N passed, N failed".
# Exits non-zero when a check failed. Work files go to artifacts/consumer (kept for a look afterwards).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
packages="$repo/artifacts/packages"
work="$repo/artifacts/consumer"
passed=0
failed=0
log() { printf '[consumer] %s\n' "$*" >&2; }
count() { # reads PASS/FAIL lines of a step's output from stdin, echoes them, adds them up
  local result
  while IFS= read -r result; do
    echo "$result"
    case "$result" in PASS\ *) passed=$((passed + 1)) ;; FAIL\ *) failed=$((failed + 1)) ;; esac
  done
}
step() { # step NAME COMMAND...: one check, passed when the command exits 0; its output goes to $work/NAME.log
  local name=$1; shift
  local started=$SECONDS
  if "$@" > "$work/$name.log" 2>&1; then
    count <<< "PASS $name: $((SECONDS - started)) s"
  else
    count <<< "FAIL $name: exit $?, last lines of $work/$name.log: $(tail -n 5 "$work/$name.log" | tr '\n' ' ')"
    return 1
  fi
}
checks() { # checks NAME COMMAND...: a program that prints its own PASS/FAIL lines; a non-zero exit without one is a FAIL
  local name=$1; shift
  "$@" > "$work/$name.log" 2>&1
  local rc=$?
  count < <(grep -E '^(PASS|FAIL) ' "$work/$name.log" | sed -E "s/^(PASS|FAIL) /\1 $name: /")
  if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$work/$name.log"; then
    count <<< "FAIL $name: exit $rc, last lines of $work/$name.log: $(tail -n 5 "$work/$name.log" | tr '\n' ' ')"
  fi
}
finish() { echo "consumer checks: ${passed} passed, ${failed} failed"; [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]; exit $?; }

rm -rf "$work"
mkdir -p "$work"
cd "$repo"
if [ "${MOCO_SKIP_PACK:-0}" != 1 ] || ! ls "$packages"/MoCo.MLNet.*.nupkg > /dev/null 2>&1; then
  log "packing (build/pack.sh)"
  step pack bash build/pack.sh "$packages" || finish
fi
version=$(basename "$(ls "$packages"/MoCo.MLNet.[0-9]*.nupkg | head -n 1)" .nupkg)
version=${version#MoCo.MLNet.}
log "packages $version in $packages"

# NuGet keeps a restored package by id and version: drop our own so that a re-pack of the same version is what restores.
globals=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
for id in moco.mlnet moco.onnx moco.imaging moco.evaluation moco.training moco.mlnet.cli; do rm -rf "${globals%/}/$id/$version"; done

consumer() { dotnet "$here/bin/ml$1/Release/net10.0/Consumer.dll" "${@:2}"; }
for line in 5 6; do
  rm -rf "$here/obj/ml$line" "$here/bin/ml$line"
  log "building the consumer for ML.NET line $line"
  step "build-mlnet$line" dotnet build "$here/Consumer.csproj" -c Release -nologo -v q -p:MLNetLine=$line -p:MoCoVersion="$version" || finish
  # The inference package brings neither TorchSharp nor libtorch.
  count < <(python3 - "$here/obj/ml$line/project.assets.json" "$line" <<'PY'
import json, sys
libraries = json.load(open(sys.argv[1]))["libraries"]
torch = [k for k in libraries if "torch" in k.lower()]
print(("FAIL" if torch else "PASS") + f" no-torchsharp-mlnet{sys.argv[2]}: {len(libraries)} packages restored" + (f", TorchSharp: {torch}" if torch else ", none of them TorchSharp or libtorch"))
PY
)
done

# The training package: libtorch loads in a user's program (Debian 12: through the package's libstdc++ fix) and its
# ONNX export runs on ONNX Runtime with libtorch's features.
log "building and running the MoCo.Training user"
rm -rf "$here/Training/obj" "$here/Training/bin"
if step build-training dotnet build "$here/Training/Training.csproj" -c Release -r linux-x64 --self-contained false -nologo -v q \
     -p:MoCoVersion="$version"; then
  checks training dotnet "$here/Training/bin/ml6/Release/net10.0/linux-x64/Training.dll"
fi

log "pictures and the moco tool"
step images consumer 5 images "$work/images" || finish
mkdir -p "$work/tool"
( cd "$work/tool" && dotnet new tool-manifest > /dev/null ) || finish
step tool-install bash -c "cd '$work/tool' && dotnet tool install MoCo.MLNet.Cli --version '$version' --add-source '$packages'" || finish
moco() { ( cd "$work/tool" && dotnet tool run moco -- "$@" ); }
step moco-smoke moco smoke --steps 150 --threads 1
step moco-encoder bash -c "cd '$work/tool' && dotnet tool run moco -- pretrain --data '$work/images' --input-size 32 --small-images false \
  --width 2 --batch 8 --queue 16 --bn-splits 2 --epochs 1 --threads 1 --workers 1 --seed 1 --out '$work/pretrain' && \
  dotnet tool run moco -- export --checkpoint '$work/pretrain/last.ckpt' --out '$work/encoder.onnx'" || finish
# The tool's other native pieces: SQLite and Parquet (moco extract), ML.NET on SkiaSharp 3 (moco probe).
step moco-extract moco extract --model "$work/encoder.onnx" --data "$work/images" --out "$work/store" --format parquet \
  --onnx-batch 8 --threads 1 --quiet
step moco-probe moco probe --model "$work/encoder.onnx" --train "$work/images" --trainer sdca --split 0.5 --onnx-batch 8 \
  --out "$work/probe"
# ScottPlot's figures in the same process (SkiaSharp 3.119, as ML.NET 6 there).
step moco-ablate-figures bash -c "cd '$work/tool' && dotnet tool run moco -- ablate --data '$work/images' --test-data '$work/images' \
  --sweep shuffle-bn --input-size 16 --width 4 --batch 4 --queue 8 --bn-splits 2 --epochs 1 --threads 1 --workers 1 --labels 16 \
  --probe-iterations 20 --out '$work/ablate' && test -s '$work/ablate/shuffle-bn.png'"

for line in 5 6; do
  log "the README's pipeline on ML.NET line $line"
  checks "mlnet$line-pipeline" consumer $line pipeline "$work/images" "$work/encoder.onnx" "$work/mlnet$line"
  checks "mlnet$line-load" consumer $line load "$work/images" "$work/mlnet$line"
done
finish
