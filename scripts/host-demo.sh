#!/usr/bin/env bash
# Plays the installed Distill VST3 in a real host: Ardour 7, headless ("None (Dummy)" backend), one MIDI track
# holding a note while the temperature is automated from 0.6 to 1.5 halfway, exported to a WAV.
#   scripts/host-demo.sh OUT.wav [SECONDS]
# Uses the VST3 in ~/.vst3 and the worlds in ~/.local/share/distill/worlds (installer/install.sh puts both there).
# Ardour runs in a throwaway HOME/XDG tree; its teardown occasionally crashes, so a run is judged by its
# success line and the WAV, and retried at most 3 times.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1; seconds=${2:-8}
bundle="$HOME/.vst3/Distill.vst3"
worlds="${XDG_DATA_HOME:-$HOME/.local/share}/distill/worlds"
[ -d "$bundle" ] || { echo "No Distill.vst3 in ~/.vst3: run installer/install.sh first." >&2; exit 1; }
class_id=$(grep -o '"CID": *"[0-9A-Fa-f]*"' "$bundle/Contents/Resources/moduleinfo.json" | head -1 | grep -o '[0-9A-Fa-f]\{32\}')
temperature=1 # the parameter's id; its range is 0–2, so 0.6 and 1.5 are 0.3 and 0.75 of it

for try in 1 2 3; do
  home=$(mktemp -d)
  export_dir="$home/export"; mkdir -p "$export_dir"
  env=(HOME="$home" XDG_CACHE_HOME="$home/.cache" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share"
       XDG_STATE_HOME="$home/.local/state" DISTILL_WORLDS="$worlds")
  env "${env[@]}" LD_LIBRARY_PATH=/usr/lib/ardour7 /usr/lib/ardour7/ardour-vst3-scanner "$bundle" >/dev/null 2>&1 || true
  log=$(env "${env[@]}" timeout 180 ardour7-lua tests/hosts/ardour-render.lua "$(dirname "$bundle")" "$home/session" "$export_dir" \
          48000 "$seconds" "$class_id" "$temperature" 0.3 0.75 2>&1 || true)
  if grep -q DISTILL-EXPORTED <<<"$log" && [ -s "$export_dir/distill.wav" ]; then
    mkdir -p "$(dirname "$out")"
    cp "$export_dir/distill.wav" "$out"
    rm -rf "$home"
    echo "Ardour rendered $out ($(sox --i -D "$out") s): Distill VST3, temperature 0.6 → 1.5 at the halfway point."
    exit 0
  fi
  echo "Ardour render, try $try, failed:" >&2
  tail -5 <<<"$log" >&2
  rm -rf "$home"
done
exit 1
