#!/usr/bin/env bash
# Back from the GPU machine: join the weight parts scripts/gpu-train/run.sh wrote, check them
# against their sha256, and put them where training and export read them.
#
#   bash scripts/gpu-train/join.sh FILES_DIR [models/weights/face-256.fp16.pth]
set -euo pipefail
dir=${1:?give the folder the files came back to}
dest=${2:-models/weights/face-256.fp16.pth}
tmp="$dest.partial"
cat "$dir"/face-256.fp16.pth.part-* >"$tmp"
want=$(cut -d' ' -f1 "$dir/face-256.fp16.pth.sha256")
got=$(sha256sum "$tmp" | cut -d' ' -f1)
[ "$want" = "$got" ] || { rm -f "$tmp"; echo "sha256 differs: parts missing or damaged" >&2; exit 1; }
mv "$tmp" "$dest"
if [ -f "$dir/losses.csv" ]; then cp "$dir/losses.csv" "${dest%.fp16.pth}.losses.csv"; fi
echo "$dest ($(du -h "$dest" | cut -f1)), sha256 checked"
