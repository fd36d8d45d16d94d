#!/usr/bin/env bash
# The MoCo paper's ablations at Fashion-MNIST scale (docs/ablation.md): top-1 against the number of negatives K for
# MoCo, end-to-end and the memory bank (Figure 3), against the momentum m, and with shuffle BN on and off.
# Sized for about 40 minutes on 2 cores (~450 images/s of MoCo training): 13 trained grid points (end-to-end at
# K 4094 needs a batch of 2048 and is listed as skipped), each 4 epochs of the first 15,000 training images with the
# demo's narrow ResNet-18 (build/demo.sh), and the untrained random-init baseline; kNN (k 200) and linear-probe top-1
# with 10,000 labelled training images, on the 10,000 test images. Killed, it resumes where it stopped when run again (finished points are skipped).
# Environment: OUT (default run/ablation), LIMIT (15000), EPOCHS (4), LABELS (10000), TEST_LIMIT (10000), K
# (256,1024,4096), M (0,0.9,0.99,0.999,0.9999). Extra arguments go to `moco ablate` (e.g. --device cuda).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
bash build/setup.sh Release
out=${OUT:-run/ablation}
dotnet src/MoCo.Cli/bin/Release/net10.0/moco.dll ablate --data fashion-mnist:train --first "${LIMIT:-15000}" --epochs "${EPOCHS:-4}" \
  --labels "${LABELS:-10000}" --test-first "${TEST_LIMIT:-10000}" \
  --width 16 --batch 256 --queue 4096 --momentum 0.99 --temperature 0.1 --bn-splits 8 --lr 0.06 --threads "$(nproc)" \
  --sweep negatives,momentum,shuffle-bn --negatives "${K:-256,1024,4096}" --momenta "${M:-0,0.9,0.99,0.999,0.9999}" --max-batch 1024 --out "$out" "$@"
dotnet src/MoCo.Plots/bin/Release/net10.0/moco-plots.dll "$out"
