"""Does the picture's motion at the lips and lids come from their own keypoints?

Follows tools/keypoint_mouth.py one step further. For each held-out clip of a split (prepared by
fomm.prepare_faces), the clip's first frame is driven by every 10th of its first 100 frames (relative
motion, as the app animates) and three things are measured at the driving frame's landmark anchors:

- own share: the dense motion's mask (Eq. 7) for each anchor's own keypoint, in the 3x3 cells
  around the anchor (losses.anchor_mask_shares). Near 0, another keypoint's transformation moves
  that place, whatever the anchor's own keypoint does.
- lip effect: the mean change over the mouth's landmark box (0-255) when only the inner lip
  keypoints' separation is taken away (their common motion kept), against the change of the whole
  result from the photo there. Near 0: the lip keypoints' opening never reaches the picture.
- warp opening: how much of the change in the inner lips' opening since the first frame the motion
  field itself carries (the least-squares slope, over the measured frames, of the warp's opening
  change on the driver's; the warp's is the driving frame's lip gap less the gap between the
  source positions the field samples for its two lip anchors). 1: the warp opens the photo's mouth
  as far as the driver's opens; 0: it leaves the photo's opening as it was.

    cd models && /usr/bin/python3 tools/motion_owners.py --config configs/face-128-v13.yaml \\
        --weights weights/face-128-v13.fp16.pth --split data/face-split-v2.json --prepared ../../runs/faces-128
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fomm.animate import transfer_keypoints  # noqa: E402
from fomm.data import ANCHORS, MOUTH, OPENINGS, anchor_targets  # noqa: E402
from fomm.held_out import load_anchored_model, prepared_held_out, tool_arguments  # noqa: E402
from fomm.losses import anchor_mask_shares, warped_anchors  # noqa: E402

# Anchors (indices into fomm.data.ANCHORS) by part, from the openings' pairs: the mouth's pair is the
# inner lips, the eyes' pairs the lids, and the anchors in no opening the mouth corners.
_MOUTH_PAIR = dict(OPENINGS)["mouth"]
_LIDS = tuple(i for name, pair in OPENINGS if name != "mouth" for i in pair)
PARTS = {
    "inner lips": _MOUTH_PAIR,
    "mouth corners": tuple(i for i in range(len(ANCHORS)) if i not in _MOUTH_PAIR + _LIDS),
    "lids": tuple(sorted(_LIDS)),
}


def without_lip_opening(kp_driven, kp_source, upper, lower):
    """The driven keypoints with the upper and lower inner lip moved by their common motion only."""
    value = kp_driven["value"].clone()
    change = value - kp_source["value"]
    common = (change[:, upper] + change[:, lower]) / 2
    value[:, upper] = kp_source["value"][:, upper] + common
    value[:, lower] = kp_source["value"][:, lower] + common
    return {"value": value, "jacobian": kp_driven["jacobian"]}


def slope(products, squares):
    """The least-squares slope through 0 from its sums: sum(x * y) / sum(x * x) (0 when x is all 0)."""
    return products / max(squares, 1e-12)


def measure_clip(frames, marks, kp_detector, generator, chosen, step=10):
    """Own shares per part, the lip effect and the warp opening for one prepared clip (frames (T, H, W, 3) uint8)."""
    height, width = frames.shape[1:3]
    as_tensor = lambda i: torch.from_numpy(np.array(frames[i])).permute(2, 0, 1)[None].float() / 255  # noqa: E731
    source = as_tensor(0)
    upper, lower = (chosen[i] for i in _MOUTH_PAIR)
    first, second = _MOUTH_PAIR
    at_start = anchor_targets(marks[0], height, width)[0]
    opening_at_start = at_start[second] - at_start[first]
    shares, effect, whole, driver_change, warp_change = [], [], [], [], []
    with torch.no_grad():
        kp_source = kp_detector(source)
        for t in range(step, len(frames), step):
            targets, valid = anchor_targets(marks[t], height, width)
            if not valid.all():
                continue
            kp_driven = transfer_keypoints(kp_source, kp_detector(as_tensor(t)), kp_source)
            out = generator(source, kp_driving=kp_driven, kp_source=kp_source)
            shares.append(anchor_mask_shares(out["mask"], targets[None], chosen)[0].numpy())
            sampled = warped_anchors(out["deformation"], targets[None])[0]
            opening = targets[second] - targets[first]
            driver_change.append((opening - opening_at_start).numpy())
            warp_change.append((opening - (sampled[second] - sampled[first])).numpy())
            closed = generator(source, kp_driving=without_lip_opening(kp_driven, kp_source, upper, lower),
                               kp_source=kp_source)["prediction"]
            x0, y0 = np.floor(marks[t][MOUTH].min(0)).astype(int)
            x1, y1 = np.ceil(marks[t][MOUTH].max(0)).astype(int) + 1
            box = (Ellipsis, slice(max(0, y0), y1), slice(max(0, x0), x1))
            effect.append(float((out["prediction"] - closed)[box].abs().mean() * 255))
            whole.append(float((out["prediction"] - source)[box].abs().mean() * 255))
    if not shares:
        return None
    shares = np.stack(shares).mean(0)
    row = {part: float(shares[list(indices)].mean()) for part, indices in PARTS.items()}
    row.update({"lip_effect": float(np.mean(effect)), "mouth_change": float(np.mean(whole)), "frames": len(effect)})
    driver_change, warp_change = np.stack(driver_change), np.stack(warp_change)
    # The slope's parts, so that clips pool by summing them (summary) rather than by averaging slopes.
    row["opening_products"] = float((driver_change * warp_change).sum())
    row["opening_squares"] = float((driver_change ** 2).sum())
    row["warp_opening"] = slope(row["opening_products"], row["opening_squares"])
    return row


def main():
    parser = tool_arguments(__doc__.split("\n")[0])
    args = parser.parse_args()
    torch.set_num_threads(1)
    kp_detector, generator, chosen = load_anchored_model(args.config, args.weights)
    rows = []
    for stem, frames, marks in prepared_held_out(args.split, args.prepared, 100):
        if not np.isfinite(marks[0]).all():
            continue  # the photo (first frame) needs a face
        row = measure_clip(frames, marks, kp_detector, generator, chosen)
        if row is None:
            continue
        row["clip"] = stem
        rows.append(row)
        print(f"{stem}: " + ", ".join(f"{p} {row[p]:.2f}" for p in PARTS)
              + f"; lip effect {row['lip_effect']:.2f} of {row['mouth_change']:.1f}"
              + f"; warp opening {row['warp_opening']:.2f}", flush=True)
    if not rows:
        raise SystemExit("no prepared held-out clip with a face in its first frame")
    weights = np.array([r["frames"] for r in rows], dtype=float)
    summary = {key: float(np.average([r[key] for r in rows], weights=weights))
               for key in (*PARTS, "lip_effect", "mouth_change")}
    summary["warp_opening"] = slope(sum(r["opening_products"] for r in rows), sum(r["opening_squares"] for r in rows))
    summary["clips"] = len(rows)
    print("mean (frame-weighted): " + json.dumps({k: round(v, 3) for k, v in summary.items()}))
    if args.out:
        Path(args.out).write_text(json.dumps({"summary": summary, "clips": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
