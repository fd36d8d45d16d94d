#!/usr/bin/env bash
# The main job: the whole product on Fashion-MNIST (Debian's copy) in about 15 minutes on 2 CPU cores (850 s measured, idle machine).
#   1. pretrain  MoCo v2 on the 60,000 training images, labels unused: narrow ResNet-18 (width 16, 3x3 stem, 1 channel),
#                batch 256, queue 4096, momentum 0.99, temperature 0.1, split BN over 8 sub-batches, cosine lr 0.06;
#                the kNN monitor (k 200) on the 10,000 test images before and after.
#   2. export    the query encoder's backbone to ONNX (opset 17, preprocessing in its metadata).
#   3. probe     frozen features in ML.NET (moco probe: L-BFGS maximum entropy, and MoCo's kNN), trained on labelled
#                training images and tested on the 10,000 test images, for the pretrained encoder, a randomly
#                initialised encoder of the same shape, and raw pixels; writes a model zip, consumption code and a
#                confusion matrix for the pretrained encoder.
#   4. extract   features of the test images to a Parquet store (moco extract).
#   5. curve     label efficiency: the probe at 1, 10, 100 labels per class and all (mean of DRAWS seeded draws), and
#                fine-tuning (moco finetune) at 10 and 100 per class, from the pretrained encoder and from random init;
#                a figure of top-1 against labels per class and the CSVs of its points.
# Prints each figure and where the outputs are. Environment: EPOCHS (default 4), PROBE_LABELS (labelled training images
# for the probes, default 10000), DRAWS (label draws per budget on the curve, default 3), OUT (default run/fashion-mnist), THREADS (libtorch threads, default nproc; 1 avoids
# OpenMP spinning when other processes share the cores). Extra arguments go to `moco pretrain`.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bash build/setup.sh Release
moco() { dotnet "src/MoCo.Cli/bin/Release/net10.0/moco.dll" "$@"; }
out=${OUT:-run/fashion-mnist}
epochs=${EPOCHS:-4}
labels=${PROBE_LABELS:-10000}
threads=${THREADS:-$(nproc)}
mkdir -p "$out"
started=$SECONDS
stamp() { printf '\n== %s (%d s so far)\n' "$1" $((SECONDS - started)); }
# One figure out of a `moco probe --json` line.
figure() { sed -n "s/.*\"$1\":\([0-9.eE+-]*\).*/\1/p" "$2" | awk '{ printf "%.2f%%", $1 * 100 }'; }

stamp "1. pretraining MoCo v2 on fashion-mnist:train ($epochs epochs)"
moco pretrain --data fashion-mnist:train --preset v2 \
  --width 16 --small-images true --batch 256 --queue 4096 --momentum 0.99 --temperature 0.1 --bn-splits 8 --lr 0.06 \
  --epochs "$epochs" --threads "$threads" --knn-data fashion-mnist:test --knn-first 10000 --out "$out/pretrain" "$@"

stamp "2. exporting the encoder"
moco export --checkpoint "$out/pretrain/last.ckpt" --out "$out/encoder.onnx"
# The baseline encoder: the same network at its random initialisation (one step at a vanishing learning rate leaves
# the weights as initialised; only BatchNorm's running statistics move a tenth of the way to one batch's).
moco pretrain --data fashion-mnist:train --first 256 --preset v2 --width 16 --small-images true --batch 256 --queue 4096 \
  --bn-splits 8 --lr 1e-12 --epochs 1 --threads "$threads" --out "$out/random-init" > "$out/random-init.log"
moco export --checkpoint "$out/random-init/last.ckpt" --out "$out/random-init.onnx" > /dev/null

probe() { # name, model, extra options
  local name=$1 model=$2; shift 2
  moco probe --model "$model" --train fashion-mnist:train --test fashion-mnist:test --sample "$labels" --trainer lbfgs \
    --json "$@" > "$out/probe-$name.json" 2> "$out/probe-$name.log"
}
stamp "3. probing frozen features ($labels labelled training images, 10000 test images)"
probe moco "$out/encoder.onnx" --out "$out/probe"
cat "$out/probe-moco.log"
probe random-init "$out/random-init.onnx"
probe pixels pixels
printf '\n%-34s %12s %12s\n' "features" "linear top-1" "kNN top-1"
for name in moco random-init pixels; do
  case $name in moco) what="MoCo v2 pretrained encoder";; random-init) what="same encoder, random init";; pixels) what="raw pixels";; esac
  printf '%-34s %12s %12s\n' "$what" "$(figure linear_top1 "$out/probe-$name.json")" "$(figure knn_top1 "$out/probe-$name.json")"
done

stamp "4. extracting features of the test images"
# The store is this run's own: a store refuses a model other than the one it was made with, and a rerun of the demo
# trains a new encoder, so the previous run's store goes first.
rm -rf "$out/features"
moco extract --model "$out/encoder.onnx" --data fashion-mnist:test --out "$out/features" --format parquet --quiet
extracted="$out/features (Parquet + manifest.db)"

stamp "5. label efficiency: top-1 against labels per class"
# The probe (linear and kNN on frozen features) at 1, 10, 100 labels per class (seeded stratified draws, mean of
# $DRAWS) and all 60,000, for the three encoders; fine-tuning end to end at 10 and 100 per class (one draw each) from
# the pretrained encoder and from random init (flips only: crops of a 28-px image measured worse, docs/finetune.md);
# one figure and the CSVs of the points.
curve=$out/label-efficiency
draws=${DRAWS:-3}
mkdir -p "$curve"
lp() { # name, model, curve label
  moco probe --model "$2" --train fashion-mnist:train --test fashion-mnist:test --trainer lbfgs --labels-per-class 1,10,100,all \
    --draws "$draws" --out "$curve/probe-$1" --curve-label "$3" --json > "$curve/probe-$1.json" 2> "$curve/probe-$1.log"
}
lp moco "$out/encoder.onnx" "MoCo v2 (frozen)"
lp random-init "$out/random-init.onnx" "random init (frozen)"
lp pixels pixels "raw pixels"
ft() { # name, init, curve label, extra options
  local name=$1 init=$2 label=$3; shift 3
  moco finetune --init "$init" --train fashion-mnist:train --test fashion-mnist:test --labels-per-class 10,100 --epochs 60,30 --min-crop-scale 1 \
    --eval-every 0 --threads "$threads" --out "$curve/finetune-$name" --curve-label "$label" --json "$@" > "$curve/finetune-$name.json" 2> "$curve/finetune-$name.log"
}
ft moco "$out/pretrain/last.ckpt" "MoCo v2 (fine-tuned)"
ft random-init random "random init (fine-tuned)" --width 16
moco probe plot --out "$curve/label-efficiency.svg" --title "Fashion-MNIST: top-1 against labels per class" \
  "$curve"/probe-{moco,random-init,pixels}/label-efficiency.csv "$curve"/finetune-{moco,random-init}/label-efficiency.csv > /dev/null
# The table: linear (fine-tuned where fine-tuning) and kNN top-1 per budget, mean over the draws.
printf '\n%-30s %18s %18s %18s %18s\n' "top-1 (linear / kNN)" "1 per class" "10 per class" "100 per class" "all (6,000/class)"
for f in "$curve"/probe-{moco,random-init,pixels}/label-efficiency.csv "$curve"/finetune-{moco,random-init}/label-efficiency.csv; do
  awk -F, 'NR > 1 && $3 == "mean" { name = $1; gsub(/"/, "", name); v[$2] = sprintf("%.2f / %.2f", $6 * 100, $8 * 100) }
    END { printf "%-30s %18s %18s %18s %18s\n", name, ("1" in v ? v["1"] : "-"), ("10" in v ? v["10"] : "-"), ("100" in v ? v["100"] : "-"), ("all" in v ? v["all"] : "-") }' "$f"
done

stamp "done"
cat <<SUMMARY
outputs:
  pretraining run     $out/pretrain (last.ckpt, log.jsonl, curves.svg)
  encoder             $out/encoder.onnx (baseline: $out/random-init.onnx)
  probe model         $out/probe/model.zip (image bytes in, label out), $out/probe/MoCoProbeModel.consumption.cs
  confusion matrix    $out/probe/confusion-matrix.svg; predictions $out/probe/predictions.csv
  probe figures       $out/probe-{moco,random-init,pixels}.json (+ .log with the full tables)
  label efficiency    $curve/label-efficiency.svg (figure), $curve/*/label-efficiency.csv (the points)
  features            $extracted
SUMMARY
