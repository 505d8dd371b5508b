"""Where does the mouth's movement get lost: in the keypoints, or in the generator?

For each held-out clip of a split (prepared by fomm.prepare_faces, so dlib's 68 landmarks of every
framed frame are known), the keypoint detector runs on the frames and each pair of anchored
keypoints that makes an opening (fomm.data.ANCHOR_GAPS: the upper and lower inner lip, each eye's
upper and lower lid; which keypoint each anchor is comes from the weights file) gives a per-frame
"keypoint opening": the vertical distance between the two. The landmarks give the same for the real
mouth and eyes (the mean of each anchor's points, in the same [-1, 1] frame). Per clip and opening:
their Pearson correlation and amplitude ratio (std keypoints / std landmarks).
A ratio near 1 with a high correlation means the keypoints carry the mouth's movement and a
result that opens less loses it in the generator; a low ratio means the motion representation
itself moves too little.

    cd models && /usr/bin/python3 tools/keypoint_mouth.py --config configs/face-128-v3.yaml \
        --weights weights/face-128-v4.fp16.pth --split data/face-split-v2.json --prepared ../../runs/faces-128
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fomm.data import ANCHORS, OPENINGS  # noqa: E402
from fomm.held_out import load_anchored_model, prepared_held_out, tool_arguments  # noqa: E402


def opening(points_upper, points_lower):
    return points_lower[:, 1] - points_upper[:, 1]


def main():
    parser = tool_arguments(__doc__.split("\n")[0])
    parser.add_argument("--max-frames", type=int, default=100)
    args = parser.parse_args()
    torch.set_num_threads(1)
    kp_detector, _, chosen = load_anchored_model(args.config, args.weights)
    rows = []
    for stem, frames, marks in prepared_held_out(args.split, args.prepared, args.max_frames):
        height, width = frames.shape[1:3]
        scale = np.array([2.0 / (width - 1), 2.0 / (height - 1)], dtype=np.float32)
        with torch.no_grad():
            batch = torch.from_numpy(np.array(frames)).permute(0, 3, 1, 2).float() / 255
            kp = torch.cat([kp_detector(batch[i:i + 25])["value"] for i in range(0, len(batch), 25)]).numpy()
        ok = np.isfinite(marks).all(axis=(1, 2))
        if ok.sum() < 10:
            continue
        row = {"clip": stem, "frames": int(ok.sum())}
        for name, (a, b) in OPENINGS:
            real_a = marks[:, list(ANCHORS[a]["points"])].mean(1) * scale - 1
            real_b = marks[:, list(ANCHORS[b]["points"])].mean(1) * scale - 1
            real = opening(real_a, real_b)[ok]
            found = opening(kp[:, chosen[a]], kp[:, chosen[b]])[ok]
            corr = float(np.corrcoef(real, found)[0, 1]) if real.std() > 0 and found.std() > 0 else float("nan")
            amplitude = float(found.std() / real.std()) if real.std() > 0 else float("nan")
            row[name] = {"corr": corr, "amplitude": amplitude, "real_std": float(real.std()),
                         "keypoint_std": float(found.std())}
        rows.append(row)
        print(stem + ": " + ", ".join(f"{n} corr {row[n]['corr']:.2f} amplitude {row[n]['amplitude']:.2f}"
                                      for n, _ in OPENINGS), flush=True)
    summary = {"clips": len(rows)}
    for name, _ in OPENINGS:
        usable = [r for r in rows if np.isfinite(r[name]["corr"])]
        w = np.array([r["frames"] for r in usable], dtype=float)
        summary[name] = {
            "corr": float(np.average([r[name]["corr"] for r in usable], weights=w)) if usable else None,
            "amplitude": float(np.average([r[name]["amplitude"] for r in usable], weights=w)) if usable else None,
        }
    print(json.dumps(summary))
    if args.out:
        Path(args.out).write_text(json.dumps({"summary": summary, "clips": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
