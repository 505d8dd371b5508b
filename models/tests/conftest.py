import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

MODELS_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(MODELS_DIR))
REPO = MODELS_DIR.parent
SHARED = REPO.parent / "shared"
# The parity tests run graphs in onnxruntime-node, the runtime the app ships.
HAVE_ORT = (REPO / "node_modules" / "onnxruntime-node").exists() and shutil.which("node") is not None


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
    np.random.seed(0)
    torch.set_num_threads(2)


def moving_blob_video(frames=12, size=64, seed=0):
    """A textured disc that moves and stretches over a gradient: uint8 (T, H, W, 3)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / (size - 1)
    background = np.stack([xx, yy, 1 - xx], -1) * 120 + 40
    texture = rng.uniform(0, 60, (size, size, 3))
    video = []
    for t in range(frames):
        cx = 0.3 + 0.4 * t / max(1, frames - 1)
        cy = 0.5 + 0.15 * np.sin(t / 2)
        rx, ry = 0.18 + 0.04 * np.sin(t / 3), 0.14
        inside = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 < 1
        frame = background.copy()
        frame[inside] = np.array([220, 180, 60]) + texture[inside] * 0.5
        video.append(np.clip(frame, 0, 255).astype(np.uint8))
    return np.stack(video)


def tiny_anchored_weights(tmp_path, anchors):
    """A random tiny-64 model with 10 keypoints saved as fomm.train's --weights-out would save it,
    recording `anchors` as its anchors' keypoints (none when falsy): (config path, weights path)."""
    from fomm.checkpoint import save_weights
    from fomm.config import build_models, load_config

    config_path = tmp_path / "tiny10.yaml"
    config_path.write_text("extends: tiny-64\nmodel_params:\n  common_params: {num_kp: 10}\n")
    kp_detector, generator, _ = build_models(load_config(str(config_path)))
    weights = tmp_path / "weights.fp16.pth"
    save_weights(weights, {"kp_detector": kp_detector, "generator": generator}, 0,
                 {"anchor_keypoints": anchors} if anchors else None)
    return config_path, weights
