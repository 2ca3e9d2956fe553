#!/usr/bin/env bash
# Every test of the suite, from a clean clone: installs what it needs, builds, runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# The plugin tests drive the real NativeAOT binaries: build them first (out/plugins).
bash scripts/build-plugins.sh
log=$(mktemp)
set +e
dotnet test PluginSuite.sln -c Release --nologo --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One plain closing line for CI: "N passed, N failed, N skipped" (from the runner's own totals).
count() { grep -E "^\s+$1: +[0-9]+" "$log" | tail -1 | grep -oE '[0-9]+' || echo 0; }
echo "tests: $(count Passed) passed, $(count Failed) failed, $(count Skipped) skipped"
rm -f "$log"
exit "$status"
