#!/usr/bin/env bash
# One GPU training run of the 256x256 face model (configs/face-256.yaml), on a machine with an
# NVIDIA GPU, CUDA PyTorch and no network. Here first:
#
#   bash scripts/gpu-train/pack.sh          # the framed training clips at 256x256 -> build/gpu-train (15 MB)
#   bash scripts/gpu-check/slim.sh out      # the bundled models step aside: the tree must travel in 64 MiB
#
# then on the GPU machine, with build/gpu-train carried:
#
#   bash scripts/gpu-train/run.sh [OUT]     # about 9 minutes in all
#
# It decodes the clips, trains for MINUTES (default 7) from build/gpu-train/init.fp16.pth when
# there is one (face-128's weights carry over: see the config), else from scratch, and writes to OUT:
# the fp16 weights split into 15 MiB parts (face-256.fp16.pth.part-aa, -ab, ...) with their sha256,
# the losses, the loss curve and the log. Back here: scripts/gpu-train/join.sh OUT, then export and
# evaluate as the README says. GPU_TRAIN_SMOKE=1 runs two steps on the CPU, to try it anywhere.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=$(realpath -m "${1:-${OUT:-build/gpu-train-out}}")
pack=$(realpath build/gpu-train)
minutes=${MINUTES:-7}
py=${PYTHON:-python3}
mkdir -p "$out"
exec > >(tee "$out/train-run.log") 2>&1
export PYTHONUNBUFFERED=1
[ -f "$pack/split.json" ] || { echo "missing $pack: run scripts/gpu-train/pack.sh and carry build/gpu-train"; exit 2; }
work=$(mktemp -d)
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null || echo "no NVIDIA GPU"

device=cuda workers=8 config=configs/face-256.yaml clips=0
if [ -n "${GPU_TRAIN_SMOKE:-}" ]; then
  device=cpu workers=0 clips=2
  cat >"$work/smoke.yaml" <<YAML
extends: face-256
train_params: {batch_size: 2, num_repeats: 1}
YAML
  config="$work/smoke.yaml"
fi

echo "=== decoding the clips"
"$py" - "$pack" "$work/frames" "$clips" <<'PY' || exit 1
import json, sys
from pathlib import Path
import subprocess
import numpy as np
pack, out, limit = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
out.mkdir(parents=True)
split = json.loads((pack / "split.json").read_text())
train = split["train"][:limit] if limit else split["train"]

def decode(path):
    """RGB frames: OpenCV where it is installed (the GPU machine), else ffmpeg."""
    try:
        import cv2
    except ImportError:
        raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                             capture_output=True, check=True).stdout
        return list(np.frombuffer(raw, np.uint8).reshape(-1, 256, 256, 3))
    video, frames = cv2.VideoCapture(str(path)), []
    while True:
        ok, frame = video.read()
        if not ok:
            return frames
        frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))

total = 0
for rel in train:
    frames = decode(pack / rel)
    stem = Path(rel).stem
    marks = np.load(pack / "clips" / f"{stem}.landmarks.npy").astype(np.float32)
    n = min(len(frames), len(marks))
    np.save(out / f"{stem}.npy", np.stack(frames[:n]))
    np.save(out / f"{stem}.landmarks.npy", marks[:n])
    total += n
(out.parent / "split.json").write_text(json.dumps({"train": train, "test": []}))
print(f"{len(train)} clips, {total} frames")
PY

init=()
[ -f "$pack/init.fp16.pth" ] && init=(--init "$pack/init.fp16.pth")
epochs=()
[ -n "${GPU_TRAIN_SMOKE:-}" ] && epochs=(--epochs "$(( $("$py" -c "import torch; print(torch.load('$pack/init.fp16.pth', map_location='cpu').get('epoch', -1) + 2)" 2>/dev/null || echo 1) ))")
echo "=== training on $device for $minutes minutes ${init[*]:-from scratch}"
(cd models && "$py" -m fomm.train --config "$config" --split "$work/split.json" --data-root "$pack" \
  --prepared "$work/frames" --out "$work/run" --device "$device" --workers "$workers" --threads 4 \
  --max-minutes "$minutes" --weights-out "$work/run/face-256.fp16.pth" --log-every 10 "${init[@]}" "${epochs[@]}")
status=$?

echo "=== results (training exit status $status)"
if [ -f "$work/run/face-256.fp16.pth" ]; then
  (cd "$work/run" && sha256sum face-256.fp16.pth >"$out/face-256.fp16.pth.sha256" &&
    split -b 15m face-256.fp16.pth "$out/face-256.fp16.pth.part-")
fi
for f in losses.csv loss-curve.png train.log; do [ -f "$work/run/$f" ] && cp "$work/run/$f" "$out/"; done
ls -la "$out"
exit $status
