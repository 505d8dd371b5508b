#!/usr/bin/env bash
# Pack what a GPU machine needs to train the 256x256 face model (configs/face-256.yaml) in one run:
# the training clips of models/data/face-split-v2.json, framed by the app's rule as fomm.prepare_faces
# framed them (the crops in ../runs/faces-128/*.json), at 256x256 as H.264 (CRF 20), with their
# landmarks scaled to 256 pixels (float16), into build/gpu-train (ignored by git). It must fit in
# the device call's 64 MiB with the working tree (scripts/gpu-check/slim.sh out), so by default
# every second frame is kept (STEP=2; pairs are drawn within a clip, so little is lost).
#
#   bash scripts/gpu-train/pack.sh [PREPARED_DIR]      (default ../runs/faces-128)
set -euo pipefail
cd "$(dirname "$0")/../.."
prepared=$(realpath "${1:-../runs/faces-128}")
out=build/gpu-train
step=${STEP:-2}
crf=${CRF:-20}
rm -rf "$out" && mkdir -p "$out/clips"
cd models
/usr/bin/python3 - "$prepared" "../$out" "$step" "$crf" <<'PY'
import json, subprocess, sys
from pathlib import Path
import numpy as np
from fomm.data import load_split
prepared, out, step, crf = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
split = json.loads(Path("data/face-split-v2.json").read_text())
clips = load_split("data/face-split-v2.json", "../../shared/datasets")["train"]
kept = []
for clip in clips:
    stem = Path(clip).stem
    info_path = prepared / f"{stem}.json"
    if not info_path.exists():
        continue  # no face found when it was prepared
    info = json.loads(info_path.read_text())
    x, y, side = info["crop"]
    marks = np.load(prepared / f"{stem}.landmarks.npy")
    scale = 256 / np.load(prepared / f"{stem}.npy", mmap_mode="r").shape[1]
    frames = f"select='not(mod(n\\,{step}))',setpts=N/FRAME_RATE/TB"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", clip, "-an", "-vf",
                    f"crop={side}:{side}:{x}:{y},scale=256:256:flags=area,{frames}",
                    "-c:v", "libx264", "-crf", crf, "-preset", "slow", "-pix_fmt", "yuv420p",
                    str(out / "clips" / f"{stem}.mp4")], check=True)
    np.save(out / "clips" / f"{stem}.landmarks.npy", (marks[::step] * scale).astype(np.float16))
    kept.append(f"clips/{stem}.mp4")
(out / "split.json").write_text(json.dumps({"train": kept, "test": [], "from": "face-split-v2.json", "step": step}, indent=1))
print(f"{len(kept)} clips")
PY
cd ..
# face-128's latest weights to start from (INIT= none: from scratch).
init=${INIT-models/weights/face-128-v4.fp16.pth}
[ -n "$init" ] && cp "$init" "$out/init.fp16.pth"
du -sh "$out"
