#!/usr/bin/env bash
# The main job on built-in material: generate the demo corpus, train a world on it, export it, install the
# CLI, both plugins and the world for this user, and play the world through a real host (Ardour, headless).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
dotnet build src/Trainer -c Release -v quiet -nologo
distill() { dotnet src/Trainer/bin/Release/net10.0/distill.dll "$@"; }
out=${1:-out}
rm -rf "$out/demo-corpus" "$out/demo-run"
distill demo-corpus "$out/demo-corpus"
distill train "$out/demo-corpus" -o "$out/demo-run"   # ends by exporting demo-run/world.distill
run=$(cd "$out/demo-run" && pwd)
cp "$run/world.distill" out/demo.distill
distill inspect out/demo.distill

# Install for this user (a previous demo install is replaced), then render through Ardour.
if [ -f "${XDG_DATA_HOME:-$HOME/.local/share}/distill/install-manifest.txt" ]; then bash installer/install.sh --uninstall; fi
bash installer/install.sh --world out/demo.distill
bash scripts/host-demo.sh "$out/demo-ardour.wav"

echo
echo "Demo world trained:  $run"
echo "Generated example:   $run/example.wav ($(sox --i -D "$run/example.wav") s, offline)"
echo "World bundle:        $(pwd)/out/demo.distill (installed as 'demo' for the Distill plugins)"
echo "Played by Ardour:    $(cd "$out" && pwd)/demo-ardour.wav"
