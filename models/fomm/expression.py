"""Does the animation follow the driver's expressions, not only its head?

dlib's 68 landmarks are found on every driving frame and on every animated frame; per frame:

- mouth opening: the mean of the inner (61-67, 62-66, 63-65) and outer (50-58, 51-57, 52-56) lip
  gaps over the inter-ocular distance, lightly smoothed (a 3-frame median): one landmark pair is too
  noisy on small faces;
- eye opening: the mean lid gap of both eyes (37-41, 38-40, 43-47, 44-46) over the inter-ocular
  distance, smoothed the same way;
- head roll: the angle of the line through the eye centres; head yaw: where the nose tip (30) sits
  between the jaw ends (0, 16).

For each series: the Pearson correlation between driving and result, and the amplitude ratio
(std result / std driving: 1 when the result moves as much as the driver). Beside them, sharpness:
the variance of the grey image's Laplacian (4-neighbour, 0-255 scale, model resolution), of the
results and of the source they animate (a blurred result has a far lower one than its photo).
Two settings:

(a) same identity: a held-out clip's first frame animated by the rest of it (relative motion);
(b) cross identity: held-out photos animated by held-out clips (relative motion, adapt scale).

    /usr/bin/python3 -m fomm.expression --onnx onnx/face-128 --split data/face-split-v2.json \
        --data-root ../../shared/datasets --prepared ../../runs/faces-128 --out ../build/expression.json
"""
import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import torch

from .animate import animate as torch_animate
from .checkpoint import load_weights
from .config import build_models, load_config
from .data import load_split
from .evaluate import face_landmarks, landmark_tool, to_tensor, to_uint8
from .prepare_faces import face_square, load_prepared

REPO = Path(__file__).resolve().parent.parent.parent
INNER_LIPS = ((61, 67), (62, 66), (63, 65))
OUTER_LIPS = ((50, 58), (51, 57), (52, 56))
LIDS = ((37, 41), (38, 40), (43, 47), (44, 46))


def _gaps(marks, pairs):
    return np.mean([np.linalg.norm(marks[a] - marks[b]) for a, b in pairs])


def inter_ocular(marks):
    return float(np.linalg.norm(marks[36:42].mean(axis=0) - marks[42:48].mean(axis=0)))


def mouth_opening(marks):
    return (_gaps(marks, INNER_LIPS) + _gaps(marks, OUTER_LIPS)) / 2 / inter_ocular(marks)


def eye_opening(marks):
    return _gaps(marks, LIDS) / inter_ocular(marks)


def head_roll(marks):
    left, right = marks[36:42].mean(axis=0), marks[42:48].mean(axis=0)
    return float(np.degrees(np.arctan2(right[1] - left[1], right[0] - left[0])))


def head_yaw(marks):
    width = marks[16, 0] - marks[0, 0]
    return float((marks[30, 0] - marks[0, 0]) / width - 0.5) if width > 0 else np.nan


MEASURES = {"mouth": mouth_opening, "eyes": eye_opening, "roll": head_roll, "yaw": head_yaw}
SMOOTHED = {"mouth", "eyes"}


def median3(values):
    """A 3-frame running median that leaves NaN (no face) where it was."""
    out = values.copy()
    for i in range(len(values)):
        window = values[max(0, i - 1) : i + 2]
        window = window[np.isfinite(window)]
        if np.isfinite(values[i]) and len(window):
            out[i] = np.median(window)
    return out


def series(marks_list, measure):
    return np.array([measure(m) if m is not None else np.nan for m in marks_list], dtype=np.float64)


def compare(driving_marks, result_marks):
    """Per measure: Pearson correlation and amplitude ratio over frames where both have a face."""
    row = {}
    for name, measure in MEASURES.items():
        d, r = series(driving_marks, measure), series(result_marks, measure)
        if name in SMOOTHED:
            d, r = median3(d), median3(r)
        both = np.isfinite(d) & np.isfinite(r)
        n = int(both.sum())
        if n < 5 or d[both].std() == 0:
            row[name] = {"corr": None, "amplitude": None, "frames": n}
            continue
        dr, rr = d[both], r[both]
        corr = float(np.corrcoef(dr, rr)[0, 1]) if rr.std() > 0 else 0.0
        row[name] = {"corr": corr, "amplitude": float(rr.std() / dr.std()), "frames": n}
    return row


def sharpness(frames):
    """Mean over frames of the variance of the grey image's 4-neighbour Laplacian: (T, H, W, 3) uint8."""
    grey = np.asarray(frames, dtype=np.float64) @ np.array([0.299, 0.587, 0.114])
    lap = (
        grey[:, :-2, 1:-1] + grey[:, 2:, 1:-1] + grey[:, 1:-1, :-2] + grey[:, 1:-1, 2:] - 4 * grey[:, 1:-1, 1:-1]
    )
    return float(lap.reshape(len(lap), -1).var(axis=1).mean())


def sharpness_row(source, result):
    return {"source": sharpness(source[None]), "result": sharpness(result)}


def summarise_sharpness(rows):
    """Means over rows of the source's and the results' sharpness, and of their ratio (result / source)."""
    found = [r["sharpness"] for r in rows if "sharpness" in r and r["sharpness"]["source"] > 0]
    if not found:
        return None
    return {
        "source": float(np.mean([f["source"] for f in found])),
        "result": float(np.mean([f["result"] for f in found])),
        "ratio": float(np.mean([f["result"] / f["source"] for f in found])),
        "pairs": len(found),
    }


def summarise(rows):
    """Frame-weighted mean of each measure's correlation and amplitude over the rows that have one."""
    out = {}
    for name in MEASURES:
        vals = [(r[name]["corr"], r[name]["amplitude"], r[name]["frames"]) for r in rows if r[name]["corr"] is not None]
        if not vals:
            out[name] = {"corr": None, "amplitude": None, "pairs": 0}
            continue
        w = np.array([v[2] for v in vals], dtype=np.float64)
        out[name] = {
            "corr": float(np.dot([v[0] for v in vals], w) / w.sum()),
            "amplitude": float(np.dot([v[1] for v in vals], w) / w.sum()),
            "pairs": len(vals),
        }
    return out


def torch_animator(config_path, checkpoint):
    config = load_config(config_path)
    kp_detector, generator, _ = build_models(config)
    # A training checkpoint or the fp16 weights committed at a stop: both hold these two networks.
    load_weights(checkpoint, {"kp_detector": kp_detector, "generator": generator})

    def run(source, driving):
        out = torch_animate(to_tensor(source[None]), to_tensor(driving), kp_detector, generator, relative=True, adapt_scale=True)
        return to_uint8(out["prediction"])

    return run


def cli_animator(model_dir):
    """The app's own render path: `marionette animate` on the framed photo and clip, lossless output."""
    node = shutil.which("node")
    cli = REPO / "dist" / "cli.mjs"
    if node is None or not cli.exists():
        raise RuntimeError("--onnx needs Node.js and the built CLI (npm run build)")
    ffmpeg = shutil.which("ffmpeg")

    def run(source, driving):
        size = source.shape[0]
        with tempfile.TemporaryDirectory(prefix="fomm-expr-") as work:
            work = Path(work)
            src, drv, out = work / "source.png", work / "driving.mkv", work / "result.mkv"
            raw = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{size}x{size}", "-r", "25", "-i", "-"]
            subprocess.run([ffmpeg, "-v", "error", *raw, "-frames:v", "1", str(src)], input=source.tobytes(), check=True)
            subprocess.run([ffmpeg, "-v", "error", *raw, "-c:v", "ffv1", str(drv)], input=driving.tobytes(), check=True)
            subprocess.run(
                [node, str(cli), "animate", "--model", str(model_dir), "--source", str(src), "--driving", str(drv),
                 "-o", str(out), "-q", "--no-audio", "--no-auto-frame", "--provider", "cpu",
                 "--source-crop", f"0,0,{size}", "--driving-crop", f"0,0,{size}"],
                check=True, capture_output=True,
            )
            decoded = subprocess.run(
                [ffmpeg, "-v", "error", "-i", str(out), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], check=True, capture_output=True,
            ).stdout
        return np.frombuffer(decoded, dtype=np.uint8).reshape(-1, size, size, 3)

    return run


def framed_photo(tool, path, size):
    """A photo cropped by the app's face rule and scaled to the model's size (None: no face)."""
    from skimage import io
    from skimage.transform import resize

    image = io.imread(path)[..., :3]
    marks = face_landmarks(tool, image[None])[0]
    if marks is None:
        return None
    x, y, side = face_square(marks, image.shape[1], image.shape[0])
    crop = image[y : y + side, x : x + side]
    return np.clip(resize(crop, (size, size), anti_aliasing=True, preserve_range=True), 0, 255).astype(np.uint8)


def evaluate_expressions(animate, clips, photos, prepared, tool, size, max_frames=None, cross_frames=100):
    same, cross = [], []
    for clip in clips:
        found = load_prepared(prepared, clip)
        if found is None:
            continue
        frames, marks = found
        if max_frames:
            frames, marks = frames[:max_frames], marks[:max_frames]
        driving_marks = [None if not np.isfinite(m).all() else m.astype(np.float64) for m in marks]
        result = animate(frames[0], frames)
        row = compare(driving_marks, face_landmarks(tool, result))
        row.update(clip=Path(clip).name, sharpness=sharpness_row(frames[0], result))
        same.append(row)
        for photo_path, photo in photos:
            n = min(len(frames), cross_frames)
            result = animate(photo, frames[:n])
            row = compare(driving_marks[:n], face_landmarks(tool, result))
            row.update(clip=Path(clip).name, photo=Path(photo_path).name, sharpness=sharpness_row(photo, result))
            cross.append(row)
    return {
        "measures": "mouth and eye opening over the inter-ocular distance (3-frame median), head roll (deg) and yaw; "
        "Pearson correlation and amplitude ratio (std result / std driving) between driving and result, "
        "frame-weighted means over clips / pairs",
        "sharpness": "variance of the grey image's 4-neighbour Laplacian (0-255), results and their source",
        "same_identity": {**summarise(same), "sharpness": summarise_sharpness(same)},
        "cross_identity": {**summarise(cross), "sharpness": summarise_sharpness(cross)},
        "same_identity_clips": same,
        "cross_identity_pairs": cross,
    }


def spread(clips, count=None):
    """`count` of the clips, evenly spaced through the list (all of them without a count)."""
    if not count or count >= len(clips):
        return list(clips)
    return [clips[int(i)] for i in np.linspace(0, len(clips) - 1, count).round()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    weights = parser.add_mutually_exclusive_group(required=True)
    weights.add_argument("--checkpoint", help="training checkpoint or fp16 weights (with --config)")
    weights.add_argument("--onnx", help="exported model set, rendered by the app's CLI")
    parser.add_argument("--config")
    parser.add_argument("--split", required=True)
    parser.add_argument("--data-root", required=True)
    parser.add_argument("--prepared", required=True, help="fomm.prepare_faces folder: framed clips with landmarks")
    parser.add_argument("--out", required=True)
    parser.add_argument("--tools", default="../build/tools")
    parser.add_argument("--max-frames", type=int, default=None)
    parser.add_argument("--cross-frames", type=int, default=100, help="driving frames per cross-identity pair")
    parser.add_argument("--clips", type=int, default=None,
                        help="only N clips, spread evenly over the part's list (quick runs)")
    parser.add_argument("--part", choices=("test", "train"), default="test",
                        help="train: the training clips, same identity only (to choose a setting without "
                        "looking at the held-out clips)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    tool = landmark_tool(args.tools)
    if tool is None:
        raise SystemExit("the dlib landmark tool needs Debian's libdlib-dev and libdlib-data")
    if args.onnx:
        size = json.loads((Path(args.onnx) / "manifest.json").read_text())["resolution"][0]
        animate = cli_animator(Path(args.onnx).resolve())
        source = {"onnx": args.onnx, "part": args.part}
    else:
        if not args.config:
            parser.error("--checkpoint needs --config")
        size = load_config(args.config)["dataset_params"]["frame_shape"][0]
        animate = torch_animator(args.config, args.checkpoint)
        source = {"config": args.config, "checkpoint": args.checkpoint, "part": args.part}
    split = load_split(args.split, args.data_root)
    clips = spread(split[args.part], args.clips)
    photos = []
    for path in split.get("test_photos", []) if args.part == "test" else []:
        photo = framed_photo(tool, path, size)
        if photo is not None:
            photos.append((path, photo))
    metrics = evaluate_expressions(animate, clips, photos, args.prepared, tool, size, args.max_frames, args.cross_frames)
    metrics.update(source)
    Path(args.out).write_text(json.dumps(metrics, indent=1) + "\n")
    print(json.dumps({"same_identity": metrics["same_identity"], "cross_identity": metrics["cross_identity"]}))


if __name__ == "__main__":
    main()
