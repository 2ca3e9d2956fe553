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
# One plain closing line for CI: "N passed, N failed, N skipped", summing the runner's totals of each test project.
count() { grep -E "^\s+$1: +[0-9]+" "$log" | grep -oE '[0-9]+' | awk '{ n += $1 } END { print n + 0 }'; }
echo "tests: $(count Passed) passed, $(count Failed) failed, $(count Skipped) skipped"
rm -f "$log"
exit "$status"
