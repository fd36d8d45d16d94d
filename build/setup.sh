#!/usr/bin/env bash
# One-command set-up: installs what is missing (Debian packages), then builds the solution (NuGet brings
# TorchSharp's libtorch and ONNX Runtime; nothing native is compiled). A second run with nothing missing does no installs.
# Usage: build/setup.sh [Debug|Release]   (as root on a fresh machine; Release by default)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
configuration=${1:-Release}
cd "$repo"

log() { printf '[setup] %s\n' "$*" >&2; }

# 1. Debian packages: install only the missing ones.
# A line is "package [command]": with a command, any install that provides it (e.g. a cmake from elsewhere)
# counts, and the Debian package is only installed when the command is missing.
missing=()
while read -r pkg cmd _; do
  [ -n "${pkg:-}" ] || continue
  if [ -n "${cmd:-}" ] && command -v "$cmd" >/dev/null 2>&1; then continue; fi
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done < <(grep -v '^\s*#' build/apt-packages.txt | sed 's/#.*//')
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. The solution (NuGet restores the rest: TorchSharp's libtorch, ONNX Runtime).
log "building the solution ($configuration)"
dotnet build MoCo.MLNet.sln -c "$configuration" -nologo -v quiet -clp:ErrorsOnly >&2
