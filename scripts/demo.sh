#!/usr/bin/env bash
# Renders the demo MP4 with the bundled default model: a held-out face photo animated by a
# held-out talking-face clip from ../shared/datasets (read in place, never copied into the repo).
# Extra arguments go to `marionette animate` and override the defaults, e.g.
#   npm run demo -- --source me.jpg --driving clip.mp4 --output out/me.mp4
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node scripts/build.mjs --no-renderer >/dev/null
datasets="${MARIONETTE_DATASETS:-../shared/datasets}"
mkdir -p out
node dist/cli.mjs animate \
  --source "$datasets/faces/source_images/vox2_pcavs_741400163.jpg" \
  --driving "$datasets/faces/driving_videos/liveportrait/lp_d19.mp4" \
  --output out/demo.mp4 --side-by-side "$@"
