#!/usr/bin/env bash
# The README's animation strip: a held-out face photo animated by a held-out clip, six moments,
# each row "source | driving frame | result", written to docs/animation-strip.png.
#   npm run strip [-- --model ID --driving CLIP --source PHOTO]
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build.mjs --no-renderer >/dev/null
datasets="${MARIONETTE_DATASETS:-../shared/datasets}"
mkdir -p out docs
node dist/cli.mjs animate -q \
  --source "$datasets/faces/source_images/vox2_pcavs_741400163.jpg" \
  --driving "$datasets/faces/driving_videos/liveportrait/lp_d12.mp4" \
  --output out/strip.mp4 --side-by-side --no-audio "$@"
frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 out/strip.side-by-side.mp4)
step=$(( frames / 6 > 0 ? frames / 6 : 1 ))
ffmpeg -v error -y -i out/strip.side-by-side.mp4 \
  -vf "select='not(mod(n\,${step}))',tile=1x6" -frames:v 1 docs/animation-strip.png
echo "wrote docs/animation-strip.png (every ${step}th of ${frames} frames)"
