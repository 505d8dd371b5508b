"""Face clips framed the way the app frames them, with per-frame landmarks, for training and evaluation.

The studio crops a face clip to one stable square: the union over sampled frames of the square
that puts the 68 landmarks at 54 % of its side, 7 % of the side above its centre
(`src-shared/framing/crop.ts`, FACE_FRAMING). Training on clips framed by that same rule means the
model sees at training time what users give it. Each clip becomes, in OUT:

    <stem>.npy            uint8 (T, S, S, 3), the cropped clip at the model's resolution
    <stem>.landmarks.npy  float32 (T, 68, 2), dlib's landmarks in those pixels (NaN: no face)

and index.json records each clip's crop in its own pixels. Clips where no face is found are left
out and listed. Resumable: a clip already prepared is skipped.

    /usr/bin/python3 -m fomm.prepare_faces --split data/face-split-v2.json --data-root ../../shared/datasets \
        --out ../../runs/faces-128 --size 128
"""
import argparse
import json
import logging
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .data import ffmpeg_binary, load_split
from .evaluate import face_landmarks, landmark_tool

log = logging.getLogger("fomm.prepare_faces")

# The app's framing rule (src-shared/framing/crop.ts FACE_FRAMING); test_prepare_faces checks the pair.
FACE_EXTENT = 0.54
FACE_DROP = 0.07


def probe_size(path):
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
         "-of", "csv=p=0", str(path)], capture_output=True, text=True, check=True,
    ).stdout.strip().split("\n")[0]
    width, height = (int(v) for v in out.split(",")[:2])
    return width, height


def decode(path, vf, width, height, frames=None):
    cmd = [ffmpeg_binary(), "-v", "error", "-nostdin", "-i", str(path)]
    if frames:
        cmd += ["-frames:v", str(frames)]
    cmd += ["-vf", vf, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    count = len(raw) // (width * height * 3)
    return np.frombuffer(raw[: count * width * height * 3], dtype=np.uint8).reshape(count, height, width, 3)


def fit_square(cx, cy, side, width, height):
    size = max(1, min(round(side), width, height))
    x = min(max(round(cx - size / 2), 0), width - size)
    y = min(max(round(cy - size / 2), 0), height - size)
    return x, y, size


def face_square(marks, width, height):
    x0, y0 = marks.min(axis=0)
    x1, y1 = marks.max(axis=0)
    side = max(x1 - x0, y1 - y0) / FACE_EXTENT
    return fit_square((x0 + x1) / 2, (y0 + y1) / 2 + FACE_DROP * side, side, width, height)


def stable_square(squares, width, height):
    """Union of per-frame squares, made square about its centre (the paper's preprocessing)."""
    if not squares:
        return None
    x0 = min(s[0] for s in squares)
    y0 = min(s[1] for s in squares)
    x1 = max(s[0] + s[2] for s in squares)
    y1 = max(s[1] + s[2] for s in squares)
    return fit_square((x0 + x1) / 2, (y0 + y1) / 2, max(x1 - x0, y1 - y0), width, height)


def prepare_clip(tool, path, size, out, samples=12):
    stem = Path(path).stem
    target = out / f"{stem}.npy"
    if target.exists() and (out / f"{stem}.landmarks.npy").exists():
        return stem, json.loads((out / f"{stem}.json").read_text())
    width, height = probe_size(path)
    full = decode(path, "null", width, height)
    picks = np.linspace(0, len(full) - 1, num=min(samples, len(full))).round().astype(int)
    squares = [face_square(m, width, height) for m in face_landmarks(tool, full[picks]) if m is not None]
    crop = stable_square(squares, width, height)
    if crop is None:
        return stem, None
    x, y, side = crop
    frames = decode(path, f"crop={side}:{side}:{x}:{y},scale={size}:{size}:flags=area", size, size)
    marks = face_landmarks(tool, frames)
    landmarks = np.stack([m if m is not None else np.full((68, 2), np.nan) for m in marks]).astype(np.float32)
    info = {"clip": str(path), "crop": [x, y, side], "size": [width, height], "frames": len(frames),
            "frames_with_face": int(sum(m is not None for m in marks)), "faces_in_samples": len(squares)}
    for name, array in ((f"{stem}.landmarks.npy", landmarks), (f"{stem}.npy", frames)):
        tmp = out / f"{name}.{os.getpid()}.tmp.npy"
        np.save(tmp, array)
        os.replace(tmp, out / name)
    (out / f"{stem}.json").write_text(json.dumps(info) + "\n")
    return stem, info


def prepare(clips, out, size, tools, workers=2):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tool = landmark_tool(tools)
    if tool is None:
        raise RuntimeError("the dlib landmark tool needs Debian's libdlib-dev and libdlib-data")
    index = {"size": size, "framing": {"extent": FACE_EXTENT, "drop": FACE_DROP}, "clips": {}, "no_face": []}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for stem, info in pool.map(lambda p: prepare_clip(tool, p, size, out), clips):
            if info is None:
                index["no_face"].append(stem)
                log.warning("%s: no face found, left out", stem)
            else:
                index["clips"][stem] = info
                log.info("%s: crop %s, %d frames, face in %d", stem, info["crop"], info["frames"], info["frames_with_face"])
    (out / "index.json").write_text(json.dumps(index, indent=1) + "\n")
    return index


def load_prepared(directory, clip):
    """(frames, landmarks) of a prepared clip, or None when it was not prepared (no face)."""
    stem = Path(clip).stem
    frames = Path(directory) / f"{stem}.npy"
    if not frames.exists():
        return None
    return np.load(frames), np.load(Path(directory) / f"{stem}.landmarks.npy")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", required=True)
    parser.add_argument("--data-root", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--tools", default="../build/tools")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    split = load_split(args.split, args.data_root)
    clips = [c for name in ("train", "test") for c in split.get(name, [])]
    index = prepare(clips, args.out, args.size, args.tools, args.workers)
    print(json.dumps({"prepared": len(index["clips"]), "no_face": index["no_face"]}))


if __name__ == "__main__":
    main()
