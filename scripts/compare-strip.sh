#!/usr/bin/env bash
# A clip's first frame driven by the clip through the CLI, once per model, every Nth frame in a row:
# the driving clip (framed as the CLI framed it) on top, then one row per model.
#   bash scripts/compare-strip.sh CLIP EVERY OUT.png MODEL_DIR [MODEL_DIR ...]
# e.g. bash scripts/compare-strip.sh ../shared/datasets/faces/driving_videos/liveportrait/lp_d12.mp4 30 \
#        docs/x.png OLD_MODEL_DIR models/onnx/face-128
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 4 ]] || { echo "usage: compare-strip.sh CLIP EVERY OUT.png MODEL_DIR [MODEL_DIR ...]" >&2; exit 2; }
clip=$1 every=$2 out=$3
shift 3
node scripts/build.mjs --no-renderer >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ffmpeg -v error -y -i "$clip" -frames:v 1 "$work/first.png"
row() { ffmpeg -v error -y -i "$1" -vf "select=not(mod(n\,$every)),$2scale=128:128,tile=7x1" -frames:v 1 "$3"; }
inputs=()
index=0
for model in "$@"; do
  index=$((index + 1))
  node dist/cli.mjs animate --source "$work/first.png" --driving "$clip" --output "$work/$index.mp4" \
    --model "$model" --no-audio -y >"$work/$index.log" 2>&1
  row "$work/$index.mp4" "" "$work/$index.png"
  inputs+=(-i "$work/$index.png")
done
# The CLI prints "framing: source Spx at (x, y), driving Dpx at (x, y)": crop the clip the same way.
crop=$(sed -nE 's/.*driving ([0-9]+)px at \(([0-9]+), ([0-9]+)\).*/crop=\1:\1:\2:\3,/p' "$work/1.log" | head -1)
row "$clip" "$crop" "$work/driving.png"
ffmpeg -v error -y -i "$work/driving.png" "${inputs[@]}" \
  -filter_complex "vstack=inputs=$((index + 1)),scale=iw*1.5:ih*1.5" "$out"
echo "wrote $out (driving, then $index model(s); one frame in ${every})"
