"""What the diagnostic tools (tools/keypoint_mouth.py, tools/motion_owners.py) share: a trained model
with the keypoints its landmark anchors pull, and the prepared held-out clips of a split."""
import argparse
import json
from pathlib import Path

import numpy as np

from .checkpoint import load_weights, read_saved
from .config import build_models, load_config
from .data import ANCHORS


def tool_arguments(description):
    """The tools' common command line: --config, --weights, --split, --prepared, --out."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--config", required=True)
    parser.add_argument("--weights", required=True, help="fp16 weights file of fomm.train --weights-out")
    parser.add_argument("--split", required=True)
    parser.add_argument("--prepared", required=True, help="fomm.prepare_faces folder")
    parser.add_argument("--out", help="JSON report")
    return parser


def load_anchored_model(config_path, weights_path):
    """(kp_detector, generator, anchor keypoints) from fomm.train's --weights-out file, in eval mode;
    exits with a message when the weights were trained without landmark anchors."""
    kp_detector, generator, _ = build_models(load_config(config_path))
    saved = read_saved(weights_path)
    load_weights(saved, {"kp_detector": kp_detector, "generator": generator})
    kp_detector.eval()
    generator.eval()
    chosen = saved.get("anchor_keypoints")
    if not chosen or len(chosen) != len(ANCHORS):
        raise SystemExit(f"{weights_path} records no anchor keypoints (trained without landmark anchors)")
    return kp_detector, generator, list(chosen)


def prepared_held_out(split_path, prepared, max_frames):
    """(clip stem, frames (T, H, W, 3) uint8, landmarks (T, 68, 2)) of each held-out clip of the split
    that fomm.prepare_faces prepared, at most max_frames of each."""
    for clip in json.loads(Path(split_path).read_text())["test"]:
        stem = Path(clip).stem
        frames_path = Path(prepared) / f"{stem}.npy"
        if not frames_path.exists():
            continue
        frames = np.load(frames_path, mmap_mode="r")[:max_frames]
        marks = np.load(Path(prepared) / f"{stem}.landmarks.npy")[:max_frames]
        yield stem, frames, marks
