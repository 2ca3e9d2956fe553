#!/usr/bin/env bash
# Installs Distill for the current user (default) or system-wide (--system), and removes exactly that again.
#
#   installer/install.sh [--system] [--world FILE.distill]     build if needed, then install
#   installer/install.sh [--system] --uninstall                remove every file the install recorded
#
# What goes where (user / --system):
#   CLI       ~/.local/lib/distill/ + ~/.local/bin/distill          /usr/local/lib/distill/ + /usr/local/bin/distill
#   CLAP      ~/.clap/Distill/Distill.clap (+ libonnxruntime.so)    /usr/lib/clap/Distill/
#   VST3      ~/.vst3/Distill.vst3                                  /usr/lib/vst3/Distill.vst3
#   world     $XDG_DATA_HOME/distill/worlds/ (~/.local/share/…)     /usr/local/share/distill/worlds/
#   manifest  $XDG_DATA_HOME/distill/install-manifest.txt           /usr/local/share/distill/install-manifest.txt
# The demo world is the --world file, else out/demo.distill when it exists (scripts/demo.sh), else none.
# DESTDIR (with --system) stages the system install under another root, as packagers do.
# Linux only; the CLI needs the .NET 10 runtime (framework-dependent). Windows and macOS: see installer/README.md.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
system=false; uninstall=false; world=""
while [ $# -gt 0 ]; do
  case "$1" in
    --system) system=true ;;
    --uninstall) uninstall=true ;;
    --world) world=$2; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

staging=""
if $system; then
  root=${DESTDIR:-}; staging=$root
  lib="$root/usr/local/lib/distill"; bin="$root/usr/local/bin"
  clap="$root/usr/lib/clap/Distill"; vst3="$root/usr/lib/vst3"
  data="$root/usr/local/share/distill"
else
  lib="$HOME/.local/lib/distill"; bin="$HOME/.local/bin"
  clap="$HOME/.clap/Distill"; vst3="$HOME/.vst3"
  data="${XDG_DATA_HOME:-$HOME/.local/share}/distill"
fi
manifest="$data/install-manifest.txt"

if $uninstall; then
  [ -f "$manifest" ] || { echo "Nothing to uninstall: no $manifest" >&2; exit 1; }
  # The manifest lists installed files ("f PATH") and the folders the install created ("d PATH"): files go
  # first, then those folders, deepest first, each only if nothing else has been put in it since.
  mapfile -t dirs < <(grep '^d ' "$manifest" | cut -c3- | sort -r)
  grep '^f ' "$manifest" | cut -c3- | while IFS= read -r file; do rm -f "$file"; done
  rm -f "$manifest"
  for dir in "${dirs[@]}"; do rmdir "$dir" 2>/dev/null || true; done
  echo "Distill uninstalled."
  exit 0
fi

[ -f "$manifest" ] && { echo "Distill is already installed here ($manifest): uninstall first." >&2; exit 1; }
if [ -z "$world" ] && [ -f "$repo/out/demo.distill" ]; then world="$repo/out/demo.distill"; fi
[ -z "$world" ] || [ -e "$world" ] || { echo "world not found: $world" >&2; exit 1; }

# Build: the plugins (NativeAOT, a minute) only when missing or older than their sources; the CLI
# (framework-dependent, linux-x64) always, which takes seconds when nothing changed.
plugins="$repo/out/plugins"
stale=""
[ -f "$plugins/Distill.clap" ] && [ -d "$plugins/Distill.vst3" ] && stale=$(find "$repo/src/Plugin" "$repo/src/Runtime" \
  \( -name bin -o -name obj \) -prune -o -type f -newer "$plugins/Distill.clap" -print -quit) || stale=missing
[ -z "$stale" ] || bash "$repo/scripts/build-plugins.sh"
cli="$repo/out/obj/cli"
dotnet publish "$repo/src/Trainer" -c Release -nologo -v quiet -r linux-x64 --self-contained false -o "$cli/" | { grep -E ' error ' || true; }

created=(); files=()
make_dir() { # records each folder it creates, so uninstall removes only those
  local d=$1 missing=()
  while [ ! -d "$d" ]; do missing+=("$d"); d=$(dirname "$d"); done
  mkdir -p "$1"
  created+=("${missing[@]}")
}
put() { # put SOURCE TARGET MODE
  make_dir "$(dirname "$2")"
  install -m "$3" "$1" "$2"
  files+=("$2")
}
put_tree() { # put_tree SOURCE_DIR TARGET_DIR
  local f
  while IFS= read -r f; do
    put "$1/$f" "$2/$f" "$([ -x "$1/$f" ] && echo 755 || echo 644)"
  done < <(cd "$1" && find . -type f | sed 's|^\./||' | sort)
}

make_dir "$data"
put_tree "$cli" "$lib"
launcher=$(mktemp)
printf '#!/bin/sh\nexec dotnet "%s/distill.dll" "$@"\n' "${lib#"$staging"}" > "$launcher"
put "$launcher" "$bin/distill" 755
rm -f "$launcher"
put "$plugins/Distill.clap" "$clap/Distill.clap" 755
put "$plugins/libonnxruntime.so" "$clap/libonnxruntime.so" 755
put_tree "$plugins/Distill.vst3" "$vst3/Distill.vst3"
if [ -n "$world" ]; then
  if [ -d "$world" ]; then put_tree "$world" "$data/worlds/$(basename "$world")"
  else put "$world" "$data/worlds/$(basename "$world")" 644; fi
fi

{ printf 'f %s\n' "${files[@]}"; [ ${#created[@]} -eq 0 ] || printf 'd %s\n' "${created[@]}"; } > "$manifest"
echo "Distill installed: ${#files[@]} files (manifest: $manifest)"
echo "  CLI   $bin/distill"
echo "  CLAP  $clap/Distill.clap"
echo "  VST3  $vst3/Distill.vst3"
[ -z "$world" ] || echo "  world $data/worlds/$(basename "$world")"
case ":$PATH:" in *":${bin#"$staging"}:"*) ;; *) echo "Add ${bin#"$staging"} to PATH to run 'distill'." ;; esac
