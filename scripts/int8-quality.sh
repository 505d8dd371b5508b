#!/usr/bin/env bash
# Fast mode's quality on real weights and real frames (README, "CPU fast mode"):
#   1. each held-out photo x 3 held-out clips of face-split-v2.json, a fresh calibration each:
#      the job's own check (PSNR of int8 against float32 on two of its poses);
#   2. one calibration (first pair), then other photos and clips rendered with it: the job's check,
#      and the whole render against the float32 render of the same job (lossless FFV1, every frame).
# The bundled face model's weights (v4) exported with --int8 into $OUT/model (about 1 min).
# Usage: bash scripts/int8-quality.sh [OUT]   (default ../runs/int8-quality; needs ../shared)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-../runs/int8-quality}")
data=../shared/datasets
split=models/data/face-split-v2.json
mkdir -p "$out"
node scripts/build.mjs --no-renderer > /dev/null
if [ ! -f "$out/model/manifest.json" ]; then
  (cd models && /usr/bin/python3 -m fomm.export_onnx --config configs/face-128-v3.yaml \
    --checkpoint weights/face-128-v4.fp16.pth --out "$out/model" --name "Faces 128 (int8 check)" \
    --weights-dtype float16 --int8 > /dev/null 2>&1)
  # A face model: framed by the face detector, as the bundled one.
  /usr/bin/python3 -c "import json,sys; p=sys.argv[1]; m=json.load(open(p)); m.update(subject='face', category='face'); json.dump(m, open(p, 'w'), indent=1)" "$out/model/manifest.json"
fi
photos=$(/usr/bin/python3 -c "import json; print(' '.join(json.load(open('$split'))['test_photos']))")
clips=$(/usr/bin/python3 -c "import json; t=json.load(open('$split'))['test']; print(' '.join(t[i] for i in (1, 9, 17)))")
fresh() { rm -rf "$out/job-model"; cp -r "$out/model" "$out/job-model"; }
render() { # photo clip output [flags]: prints the label's int8 part
  local photo=$1 clip=$2 output=$3; shift 3
  node dist/cli.mjs animate --model "$out/job-model" --source "$data/$photo" --driving "$data/$clip" \
    --output "$output" -y --provider cpu --trim-out 4 "$@" 2>&1 | grep -o 'int8 [0-9.]* dB\|int8 refused: [0-9.]* dB' | tail -1 || true
}
echo "1. a fresh calibration per pair: the job's check"
for photo in $photos; do
  for clip in $clips; do
    fresh
    echo "$(basename "$photo") × $(basename "$clip"): $(render "$photo" "$clip" "$out/int8.mp4" --int8)"
  done
done
echo "2. calibrated once (first photo × first clip), then other pairs: the check, and the whole render"
set -- $photos
first_photo=$1
fresh
render "$first_photo" "$(echo "$clips" | cut -d' ' -f1)" "$out/int8.mkv" --int8 > /dev/null
for photo in $photos; do
  for clip in $clips; do
    [ "$photo" = "$first_photo" ] && continue
    check=$(render "$photo" "$clip" "$out/int8.mkv" --int8)
    render "$photo" "$clip" "$out/fp32.mkv" > /dev/null
    whole=$(ffmpeg -hide_banner -i "$out/int8.mkv" -i "$out/fp32.mkv" -lavfi psnr -f null - 2>&1 | grep -o 'average:[0-9.inf]*' | cut -d: -f2)
    echo "$(basename "$photo") × $(basename "$clip"): check $check; whole render $whole dB"
  done
done
