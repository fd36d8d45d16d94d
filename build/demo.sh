#!/usr/bin/env bash
# The main job: set-up (installs what is missing, builds), then the moco command's demo run.
# Until pretraining lands (issue 4) this is the libtorch binding's smoke run.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bash build/setup.sh Release
exec dotnet "src/MoCo.Cli/bin/Release/net10.0/moco.dll" smoke "$@"
