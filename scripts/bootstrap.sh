#!/usr/bin/env bash
# Installs what Distill's build and tests need on a fresh Debian 12 machine with the .NET 10 SDK:
# sox (reference resampler and WAV checks in tests) and libsndfile (FLAC/OGG/MP3/AIFF input); for the plugins,
# a C toolchain and zlib headers (NativeAOT links with them) and the real hosts the plugin tests drive,
# Qtractor (CLAP) and Ardour 7 (VST3, headless through ardour7-lua), and qemu-user (an older CPU, emulated).
# NuGet packages restore with the build; the TorchSharp GLIBCXX fix runs inside the build itself.
set -euo pipefail
need=()
command -v sox >/dev/null 2>&1 || need+=(sox)
ldconfig -p 2>/dev/null | grep -q 'libsndfile.so.1 ' || need+=(libsndfile1)
command -v clang >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || need+=(clang)
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
[ -x /usr/lib/x86_64-linux-gnu/qtractor/qtractor_plugin_scan ] || need+=(qtractor)
command -v ardour7-lua >/dev/null 2>&1 || need+=(ardour)
# Older CPUs, emulated: the plugins' refusal of a CPU without AVX2 is tested under qemu-user.
command -v qemu-x86_64 >/dev/null 2>&1 || need+=(qemu-user)
# Distill Studio: npm installs the page's pinned libraries during the build; its browser tests drive Debian's chromium.
command -v npm >/dev/null 2>&1 || need+=(npm)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing ${need[*]} (apt)…"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v dotnet >/dev/null 2>&1 || { echo "The .NET 10 SDK is required (dotnet not on PATH)." >&2; exit 1; }
