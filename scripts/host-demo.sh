#!/usr/bin/env bash
# Plays the installed Distill VST3 in a real host and checks the bounce against the offline render: Ardour 7,
# headless ("None (Dummy)" backend), one MIDI track holding C4 for 8 s while the temperature steps from 0.6 to 1.5
# at 4 s (tests/hosts/demo-performance.*), exported to a float WAV; then `distill render` plays the same notes,
# automation and seed, and the two files are compared sample by sample (sox).
#   scripts/host-demo.sh OUT.wav
# Uses the VST3 in ~/.vst3 and the worlds in ~/.local/share/distill/worlds (installer/install.sh puts both there).
# Ardour runs in a throwaway HOME/XDG tree; its teardown occasionally crashes, so a run is judged by its
# success line and the WAV, and retried at most 3 times.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1; seconds=8
bundle="$HOME/.vst3/Distill.vst3"
worlds="${XDG_DATA_HOME:-$HOME/.local/share}/distill/worlds"
[ -d "$bundle" ] || { echo "No Distill.vst3 in ~/.vst3: run installer/install.sh first." >&2; exit 1; }
class_id=$(grep -o '"CID": *"[0-9A-Fa-f]*"' "$bundle/Contents/Resources/moduleinfo.json" | head -1 | grep -o '[0-9A-Fa-f]\{32\}')
world=$(ls "$worlds"/*.distill | head -1)

# Ardour trusts its scan cache only if it is newer than the plugin, at one-second resolution: a plugin installed
# this very second would read as changed after its scan.
sleep 1
exported=""
for try in 1 2 3; do
  home=$(mktemp -d)
  export_dir="$home/export"; mkdir -p "$export_dir"
  env=(HOME="$home" XDG_CACHE_HOME="$home/.cache" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share"
       XDG_STATE_HOME="$home/.local/state" DISTILL_WORLDS="$worlds")
  env "${env[@]}" LD_LIBRARY_PATH=/usr/lib/ardour7 /usr/lib/ardour7/ardour-vst3-scanner "$bundle" >/dev/null 2>&1 || true
  log=$(env "${env[@]}" timeout 180 ardour7-lua tests/hosts/ardour-render.lua "$(dirname "$bundle")" "$home/session" "$export_dir" \
          48000 "$class_id" tests/hosts/demo-performance.txt export "$seconds" 2>&1 || true)
  if grep -q DISTILL-DONE <<<"$log" && [ -s "$export_dir/distill.wav" ]; then
    mkdir -p "$(dirname "$out")"
    cp "$export_dir/distill.wav" "$out"
    exported=yes
  else
    echo "Ardour render, try $try, failed:" >&2
    tail -5 <<<"$log" >&2
  fi
  rm -rf "$home"
  [ -n "$exported" ] && break
done
[ -n "$exported" ] || exit 1
echo "Ardour rendered $out ($(sox --i -D "$out") s): Distill VST3, temperature 0.6 → 1.5 at 4 s."

render="${out%.wav}-render.wav"
dotnet src/Trainer/bin/Release/net10.0/distill.dll render "$world" --midi tests/hosts/demo-performance.mid \
  --automation tests/hosts/demo-performance.csv --seconds "$seconds" -o "$render" >/dev/null
difference=$(sox -m -v 1 "$out" -v -1 "$render" -n stat 2>&1 | awk '/Maximum amplitude/ {print $3}')
echo "distill render of the same performance: $render; largest sample difference $difference (one 24-bit step is 1.2e-07)"
awk -v d="$difference" 'BEGIN { exit !(d < 2.5e-7) }' || { echo "The Ardour bounce differs from the offline render." >&2; exit 1; }
