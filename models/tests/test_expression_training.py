"""Training that cares about expressions: mouth/eye weights, framing like the app, fp16 weights."""
import re

import numpy as np
import torch

from conftest import REPO, moving_blob_video
from fomm.checkpoint import load_weights, save_weights
from fomm.config import build_models, load_config
from fomm.data import MOUTH, FramePairs, expression_weights
from fomm.losses import pyramid_reconstruction_loss
from fomm import prepare_faces


def fake_landmarks(size=64):
    """68 points: a face in the middle, mouth low, eyes high (dlib's layout)."""
    marks = np.zeros((68, 2), dtype=np.float32)
    marks[:, 0] = np.linspace(0.3, 0.7, 68) * size
    marks[:, 1] = 0.5 * size
    marks[36:42] = [0.35 * size, 0.4 * size]
    marks[42:48] = [0.65 * size, 0.4 * size]
    marks[36:48, 0] += np.tile(np.linspace(-3, 3, 6), 2)
    marks[MOUTH] = [0.5 * size, 0.75 * size]
    marks[MOUTH, 0] += np.linspace(-6, 6, 20)
    return marks


def test_expression_weights_peak_on_mouth_and_eyes_with_mean_one():
    w = expression_weights(fake_landmarks(), 64, 64, 4.0)[0]
    assert abs(float(w.mean()) - 1) < 1e-5
    mouth, left_eye, corner = float(w[48, 32]), float(w[26, 22]), float(w[2, 2])
    assert mouth > 3 * corner and left_eye > 3 * corner
    # No landmarks (no face found) or no strength: uniform.
    nan = np.full((68, 2), np.nan)
    assert torch.equal(expression_weights(nan, 64, 64, 4.0), torch.ones(1, 64, 64))
    assert torch.equal(expression_weights(fake_landmarks(), 64, 64, 0), torch.ones(1, 64, 64))


def test_frame_pairs_mirror_the_weights_with_the_frames():
    video = moving_blob_video(frames=6)
    marks = np.stack([fake_landmarks()] * 6)
    marks[:, :, 0] -= 10  # face left of centre
    data = FramePairs([video], 40, {"flip_param": {"horizontal_flip": True}}, landmarks=[marks], expression_weight=4.0)
    sides = set()
    for i in range(40):
        w = data[i]["weights"][0]
        sides.add(bool(w[:, :32].sum() > w[:, 32:].sum()))
    assert sides == {True, False}  # some items mirrored, their weights too


def test_weighted_reconstruction_counts_the_mouth_more():
    real = torch.zeros(1, 3, 64, 64)
    weights = expression_weights(fake_landmarks(), 64, 64, 4.0)[None]
    mouth_error, corner_error = real.clone(), real.clone()
    mouth_error[..., 44:52, 24:40] = 1
    corner_error[..., 0:8, 0:16] = 1
    pyr = lambda x: {"prediction_1": x}  # noqa: E731
    loss = lambda fake, w: float(pyramid_reconstruction_loss(pyr(fake), pyr(real), [1], None, w))  # noqa: E731
    assert loss(mouth_error, None) == loss(corner_error, None)
    assert loss(mouth_error, weights) > 3 * loss(corner_error, weights)


def test_fp16_weights_round_trip_and_continue(tmp_path):
    config = load_config("tiny-64")
    kp, gen, _ = build_models(config)
    path = tmp_path / "w.fp16.pth"
    save_weights(path, {"kp_detector": kp, "generator": gen}, epoch=4)
    state = torch.load(path)
    assert state["dtype"] == "float16" and state["epoch"] == 4
    assert all(v.dtype == torch.float16 for v in state["generator"].values() if v.is_floating_point())
    kp2, gen2, disc2 = build_models(config)
    assert load_weights(path, {"kp_detector": kp2, "generator": gen2, "discriminator": disc2}) == 4
    for key, value in gen.state_dict().items():
        restored = gen2.state_dict()[key]
        assert restored.dtype == value.dtype
        assert torch.allclose(restored.float(), value.float(), atol=2e-3, rtol=1e-3), key


def test_training_framing_is_the_apps_framing():
    """fomm.prepare_faces crops training clips with the studio's own rule (src-shared/framing/crop.ts)."""
    source = (REPO / "src-shared" / "framing" / "crop.ts").read_text()
    extent, drop = re.search(r"FACE_FRAMING: FaceFramingOptions = \{ extent: ([\d.]+), drop: ([\d.]+) \}", source).groups()
    assert (prepare_faces.FACE_EXTENT, prepare_faces.FACE_DROP) == (float(extent), float(drop))
    marks = fake_landmarks(200) + 50
    x, y, side = prepare_faces.face_square(marks, 400, 300)
    span = marks.max(axis=0) - marks.min(axis=0)
    assert abs(side - max(span) / prepare_faces.FACE_EXTENT) <= 1
    union = prepare_faces.stable_square([(10, 10, 100), (60, 20, 100)], 400, 300)
    assert union == (10, 0, 150)  # the union 150 wide, moved (not shrunk) into the frame
