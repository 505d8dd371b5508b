"""tools/keypoint_mouth.py: the anchored lip keypoints' opening against the landmarks' opening."""
import json
import subprocess
import sys

import numpy as np
import torch

from conftest import MODELS_DIR, moving_blob_video, tiny_anchored_weights
from test_expression_training import fake_landmarks

TOOL = MODELS_DIR / "tools" / "keypoint_mouth.py"


def run_tool(tmp_path, anchors):
    config_path, weights = tiny_anchored_weights(tmp_path, anchors)
    prepared = tmp_path / "prepared"
    prepared.mkdir()
    frames = 12
    np.save(prepared / "clip.npy", moving_blob_video(frames=frames))
    marks = np.stack([fake_landmarks() for _ in range(frames)]).astype(np.float32)
    marks[:, 65:68, 1] += np.arange(frames)[:, None] * 0.5  # the lower inner lip drops: the mouth opens
    marks[3] = np.nan  # a frame without a face is left out
    np.save(prepared / "clip.landmarks.npy", marks)
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"train": [], "test": ["faces/clip.mp4", "faces/not-prepared.mp4"]}))
    out = tmp_path / "out.json"
    return subprocess.run(
        [sys.executable, str(TOOL), "--config", str(config_path), "--weights", str(weights), "--split", str(split),
         "--prepared", str(prepared), "--out", str(out)],
        cwd=MODELS_DIR, capture_output=True, text=True,
    ), out


def test_reports_correlation_and_amplitude_per_clip(tmp_path):
    torch.manual_seed(0)
    proc, out = run_tool(tmp_path, list(range(8)))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert report["summary"]["clips"] == 1
    clip = report["clips"][0]
    assert clip["clip"] == "clip" and clip["frames"] == 11
    # The landmarks' mouth opening grows by 0.5 px a frame: its std in the [-1, 1] frame is known.
    mouth = clip["mouth"]
    opening = np.delete(np.arange(12) * 0.5, 3) * 2 / 63
    assert abs(mouth["real_std"] - opening.std()) < 1e-5
    assert abs(mouth["amplitude"] - mouth["keypoint_std"] / mouth["real_std"]) < 1e-5
    assert -1 <= mouth["corr"] <= 1
    assert report["summary"]["mouth"]["amplitude"] == mouth["amplitude"]
    # The eyes do not move in these landmarks: nothing to compare with, said as such.
    assert clip["eye (image left)"]["real_std"] == 0 and np.isnan(clip["eye (image left)"]["corr"])
    assert report["summary"]["eye (image left)"]["corr"] is None


def test_refuses_weights_trained_without_anchors(tmp_path):
    proc, _ = run_tool(tmp_path, None)
    assert proc.returncode != 0 and "no anchor keypoints" in proc.stderr
