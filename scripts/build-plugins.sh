#!/usr/bin/env bash
# Compiles the CLAP and VST3 plugins (NativeAOT) and lays them out where tests and the installer look:
#   out/plugins/Distill.clap, out/plugins/libonnxruntime.so (found beside the plugin binary at run time)
#   out/plugins/Distill.vst3/Contents/x86_64-linux/{Distill.so,libonnxruntime.so}
#   out/plugins/Distill.vst3/Contents/Resources/moduleinfo.json
# Usage: scripts/build-plugins.sh [output folder]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/plugins}
stage=out/obj/plugins
publish() { dotnet publish "src/Plugin/$1" -c Release -nologo -v quiet -o "$stage/$1/"; }
publish Clap
publish Vst3

mkdir -p "$out"
rm -rf "$out/Distill.clap" "$out/Distill.vst3"
install -m 755 "$stage/Clap/Distill.Clap.so" "$out/Distill.clap"
install -m 755 "$stage/Clap/libonnxruntime.so" "$out/libonnxruntime.so"
bundle="$out/Distill.vst3/Contents"
install -D -m 755 "$stage/Vst3/Distill.Vst3.so" "$bundle/x86_64-linux/Distill.so"
install -m 755 "$stage/Vst3/libonnxruntime.so" "$bundle/x86_64-linux/libonnxruntime.so"
install -D -m 644 src/Plugin/Vst3/moduleinfo.json "$bundle/Resources/moduleinfo.json"
echo "Plugins in $out: Distill.clap ($(du -h "$out/Distill.clap" | cut -f1)), Distill.vst3 ($(du -h "$bundle/x86_64-linux/Distill.so" | cut -f1) + OnnxRuntime $(du -h "$out/libonnxruntime.so" | cut -f1))"
