#!/usr/bin/env bash
# Every test of the suite, from a clean clone: installs what it needs, builds, runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
log=$(mktemp)
set +e
dotnet test PluginSuite.sln -c Release --nologo --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One plain closing line for CI: "N passed, N failed, N skipped".
summary=$(grep -E '^(Passed|Failed)!' "$log" | tail -1)
passed=$(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<<"$summary")
failed=$(sed -E 's/.*Failed: *([0-9]+).*/\1/' <<<"$summary")
skipped=$(sed -E 's/.*Skipped: *([0-9]+).*/\1/' <<<"$summary")
rm -f "$log"
if [ -n "$summary" ]; then echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"; fi
exit "$status"
