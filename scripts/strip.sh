#!/usr/bin/env bash
# The README's animation strips: a held-out photo animated by a held-out clip, six moments, each
# "source | driving frame | result".
#   npm run strip                  # face-128: docs/animation-strip.png
#   npm run strip -- body          # body-64:  docs/body-strip.png (Weizmann, upscaled 3x)
# Further arguments go to `marionette animate`.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build.mjs --no-renderer >/dev/null
datasets="${MARIONETTE_DATASETS:-../shared/datasets}"
mkdir -p out docs
kind=face
if [[ "${1:-}" == face || "${1:-}" == body ]]; then kind=$1; shift; fi
if [[ $kind == face ]]; then
  source="$datasets/faces/source_images/vox2_pcavs_741400163.jpg"
  driving="$datasets/faces/driving_videos/liveportrait/lp_d12.mp4"
  model=() layout=(scale=iw:ih tile=1x6) png=docs/animation-strip.png
else
  # Weizmann test clips: a standing man's first frame, driven by another person's jumping jacks.
  weizmann="$datasets/train_small/weizmann_actions_64/test"
  source=out/body-source.png
  ffmpeg -v error -y -i "$weizmann/00000059.mp4" -frames:v 1 "$source"
  driving="$weizmann/00000012.mp4"
  model=(--model body-64) layout=(scale=iw*3:ih*3:flags=neighbor tile=2x3) png=docs/body-strip.png
fi
node dist/cli.mjs animate -q --source "$source" --driving "$driving" "${model[@]}" \
  --output "out/strip-$kind.mp4" --side-by-side --no-audio "$@"
sbs="out/strip-$kind.side-by-side.mp4"
frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$sbs")
step=$(( frames / 6 > 0 ? frames / 6 : 1 ))
ffmpeg -v error -y -i "$sbs" -vf "select='not(mod(n\,${step}))',${layout[0]},${layout[1]}" -frames:v 1 "$png"
echo "wrote $png (every ${step}th of ${frames} frames)"
