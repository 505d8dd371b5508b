"""tools/motion_owners.py: whose transformation moves the lips and lids, and whether the lip
keypoints' opening reaches the picture."""
import importlib.util
import json
import subprocess
import sys

import numpy as np
import torch

from conftest import MODELS_DIR, moving_blob_video, tiny_anchored_weights
from test_expression_training import fake_landmarks

TOOL = MODELS_DIR / "tools" / "motion_owners.py"
spec = importlib.util.spec_from_file_location("motion_owners", TOOL)
motion_owners = importlib.util.module_from_spec(spec)
spec.loader.exec_module(motion_owners)

CHOSEN = [0, 4, 5, 9, 7, 2, 8, 3]  # v13's anchors -> keypoints


class StubKeypoints(torch.nn.Module):
    """Keypoints from the frame's mean brightness: the lower inner lip keypoint drops as it grows."""

    def forward(self, frame):
        value = torch.zeros(1, 10, 2)
        value[0, 4, 1] = frame.mean() * 0.5
        return {"value": value, "jacobian": torch.eye(2).expand(1, 10, 2, 2).clone()}


class StubGenerator(torch.nn.Module):
    """Every cell's motion is the upper inner lip keypoint's; the picture brightens with the lips'
    separation, so taking the separation away changes it by a known amount."""

    def forward(self, source, kp_driving, kp_source):
        mask = torch.zeros(1, 11, 16, 16)
        mask[:, CHOSEN[0] + 1] = 1
        separation = kp_driving["value"][0, 4, 1] - kp_driving["value"][0, 0, 1]
        # The motion field samples (x, y / 2): it carries half of any vertical opening.
        line = torch.linspace(-1, 1, 16)
        y, x = torch.meshgrid(line, line, indexing="ij")
        field = torch.stack([x, y / 2], dim=-1)[None]
        return {"mask": mask, "prediction": source + separation, "deformation": field}


def test_the_lip_opening_is_taken_away_and_the_common_motion_kept():
    source = {"value": torch.zeros(1, 10, 2), "jacobian": torch.eye(2).expand(1, 10, 2, 2)}
    driven = {"value": torch.rand(1, 10, 2), "jacobian": torch.rand(1, 10, 2, 2)}
    closed = motion_owners.without_lip_opening(driven, source, 0, 4)
    assert torch.allclose(closed["value"][0, 0], closed["value"][0, 4])
    assert torch.allclose(closed["value"][0, 0], (driven["value"][0, 0] + driven["value"][0, 4]) / 2)
    others = [k for k in range(10) if k not in (0, 4)]
    assert torch.equal(closed["value"][0, others], driven["value"][0, others])
    assert closed["jacobian"] is driven["jacobian"]


def test_shares_and_lip_effect_of_a_known_model():
    frames = np.stack([np.full((64, 64, 3), 10 * t, dtype=np.uint8) for t in range(21)])
    marks = np.stack([fake_landmarks() for _ in range(21)]).astype(np.float32)
    for t in range(21):
        marks[t, [65, 66, 67], 1] += 0.2 * t  # the lower inner lip drops: the mouth opens from closed
    marks[15] = np.nan  # no face: not measured
    row = motion_owners.measure_clip(frames, marks, StubKeypoints(), StubGenerator(), CHOSEN, step=5)
    assert row["frames"] == 3  # frames 5, 10 and 20
    # The upper lip's own keypoint holds everything, the lower lip's nothing: their mean is 0.5.
    assert abs(row["inner lips"] - 0.5) < 1e-6 and row["mouth corners"] == 0 and row["lids"] == 0
    # The lips' separation is half the frame's mean brightness (0-1), and the stub adds it to every
    # pixel: taking it away changes the mouth by 0.5 x 10 t / 255, in 0-255 units 5 t.
    expected = np.mean([5 * t for t in (5, 10, 20)])
    assert abs(row["lip_effect"] - expected) < 1e-3, (row["lip_effect"], expected)
    # The field halves every vertical distance, so it opens the closed photo's mouth half as far as
    # the driver's lips open.
    assert abs(row["warp_opening"] - 0.5) < 1e-4, row["warp_opening"]


def test_command_line_on_a_tiny_model(tmp_path):
    config_path, weights = tiny_anchored_weights(tmp_path, CHOSEN)
    prepared = tmp_path / "prepared"
    prepared.mkdir()
    np.save(prepared / "clip.npy", moving_blob_video(frames=25))
    np.save(prepared / "clip.landmarks.npy", np.stack([fake_landmarks() for _ in range(25)]).astype(np.float32))
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"train": [], "test": ["faces/clip.mp4"]}))
    out = tmp_path / "out.json"
    proc = subprocess.run(
        [sys.executable, str(TOOL), "--config", str(config_path), "--weights", str(weights), "--split", str(split),
         "--prepared", str(prepared), "--out", str(out)], cwd=MODELS_DIR, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert report["summary"]["clips"] == 1 and report["clips"][0]["frames"] == 2
    assert all(0 <= report["summary"][part] <= 1 for part in motion_owners.PARTS)
    assert np.isfinite(report["summary"]["warp_opening"])
    config_path, weights = tiny_anchored_weights(tmp_path, None)
    proc = subprocess.run(
        [sys.executable, str(TOOL), "--config", str(config_path), "--weights", str(weights), "--split", str(split),
         "--prepared", str(prepared)], cwd=MODELS_DIR, capture_output=True, text=True)
    assert proc.returncode != 0 and "no anchor keypoints" in proc.stderr
