#!/usr/bin/env bash
# Runs every test: set-up (installs what is missing, builds), all test projects, then the consumer test
# (test/Consumer/run.sh). Ends with the line 'N passed, N failed'; exits non-zero when a test
# or a consumer check fails, or nothing ran.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bash build/setup.sh Release || { echo "0 passed, 1 failed"; exit 1; }

results="$repo/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
dotnet test MoCo.MLNet.sln -c Release --no-build -nologo \
  --logger "trx" --results-directory "$results" "$@" 2>&1 | tee "$results/console.log"
status=${PIPESTATUS[0]}

# Sum the outcome counts of every test run (TRX files: one per test project).
read -r passed failed skipped < <(python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    counters = ET.parse(path).getroot().find(".//{*}ResultSummary/{*}Counters")
    if counters is None:
        continue
    p += int(counters.get("passed", 0))
    f += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0))
    # Ignored tests (e.g. the GPU test on a machine without one) count in total but not in executed.
    s += int(counters.get("total", 0)) - int(counters.get("executed", 0))
print(p, f, s)
PY
)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi

# The consumer test (test/Consumer/run.sh): packs, installs the packages and the moco tool as a user does, and runs
# the README's pipeline on ML.NET 5 and 6. Its checks count with the tests. MOCO_SKIP_CONSUMER=1 leaves it out.
if [ "${MOCO_SKIP_CONSUMER:-0}" != 1 ]; then
  bash test/Consumer/run.sh 2>&1 | tee "$results/consumer.log"
  read -r consumer_passed consumer_failed < <(sed -n 's/^consumer checks: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$results/consumer.log" | tail -n 1)
  if [ -z "${consumer_passed:-}" ]; then consumer_passed=0; consumer_failed=1; fi
  passed=$((passed + consumer_passed))
  failed=$((failed + consumer_failed))
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
