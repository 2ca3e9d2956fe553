#!/usr/bin/env bash
# The main job on built-in material: generate the demo corpus, train a world on it, show the results.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
dotnet build src/Trainer -c Release -v quiet -nologo
distill() { dotnet src/Trainer/bin/Release/net10.0/distill.dll "$@"; }
out=${1:-out}
rm -rf "$out/demo-corpus" "$out/demo-run"
distill demo-corpus "$out/demo-corpus"
distill train "$out/demo-corpus" -o "$out/demo-run"
run=$(cd "$out/demo-run" && pwd)
echo "Demo world trained: $run"
echo "Generated example:  $run/example.wav ($(sox --i -D "$run/example.wav") s)"
