"""Camera motion in training pairs: the driving frame zoomed, turned and moved against the source,
with its landmarks and loss weights moved alike."""
import numpy as np
import torch
from torch.utils.data import DataLoader

from conftest import moving_blob_video
from fomm.data import FramePairs, anchor_targets, move_camera, move_landmarks, random_camera_motion
from test_expression_training import fake_landmarks

CAMERA = {"probability": 1.0, "scale": [0.7, 1.3], "rotation": 20, "shift": 0.2}


def dot_frame(x, y, size=64):
    """A (3, size, size) frame with a Gaussian dot at pixel (x, y)."""
    ys, xs = torch.meshgrid(torch.arange(size).float(), torch.arange(size).float(), indexing="ij")
    dot = torch.exp(-((xs - x) ** 2 + (ys - y) ** 2) / (2 * 1.5**2))
    return dot.expand(3, size, size).clone()


def peak(frame):
    weights = frame[0] / frame[0].sum()
    ys, xs = torch.meshgrid(torch.arange(frame.shape[1]).float(), torch.arange(frame.shape[2]).float(), indexing="ij")
    return float((weights * xs).sum()), float((weights * ys).sum())


def test_the_identity_changes_nothing():
    frame = torch.rand(3, 64, 64)
    identity = torch.tensor([[1.0, 0, 0], [0, 1.0, 0]])
    moved, seen = move_camera(frame, identity)
    assert torch.allclose(moved, frame, atol=1e-5) and bool((seen == 1).all())
    marks = fake_landmarks()
    assert np.allclose(move_landmarks(marks, identity, 64, 64), marks, atol=1e-4)


def test_landmarks_move_where_the_picture_moves():
    rng = torch.Generator().manual_seed(3)
    for _ in range(8):
        theta = random_camera_motion(rng, CAMERA["scale"], CAMERA["rotation"], CAMERA["shift"])
        point = np.array([[30.0, 36.0]], dtype=np.float32)
        moved, _ = move_camera(dot_frame(*point[0]), theta)
        expected = move_landmarks(point, theta, 64, 64)[0]
        assert np.allclose(peak(moved), expected, atol=0.3), (peak(moved), expected)


def test_draws_stay_in_their_ranges():
    rng = torch.Generator().manual_seed(0)
    zooms, angles, shifts = [], [], []
    for _ in range(200):
        theta = random_camera_motion(rng, (0.8, 1.25), 15, 0.1)
        matrix = theta[:, :2]
        zooms.append(1 / float(torch.linalg.det(matrix)) ** 0.5)
        angles.append(float(np.degrees(np.arctan2(matrix[1, 0], matrix[0, 0]))))
        shifts.append(float(theta[:, 2].abs().max()))
    assert 0.8 - 1e-4 <= min(zooms) < 0.85 and 1.2 < max(zooms) <= 1.25 + 1e-4
    assert -15 <= min(angles) < -12 and 12 < max(angles) <= 15
    assert max(shifts) <= 0.1 + 1e-6
    # No draw is a no-op when a range is asked for.
    assert min(abs(z - 1) + abs(a) for z, a in zip(zooms, angles)) > 0


def test_zooming_out_fills_the_border_and_takes_it_out_of_the_loss():
    frame = torch.rand(3, 64, 64)
    theta = torch.tensor([[1.4, 0, 0], [0, 1.4, 0]])  # the picture shown at 1/1.4 of its size
    moved, seen = move_camera(frame, theta)
    assert float(seen[0, 32, 32]) == 1 and float(seen[0, 0, 0]) == 0 and float(seen[0, 0, 32]) == 0
    inner = int(seen.sum())
    assert abs(inner - (64 / 1.4) ** 2) < 3 * 64  # about the picture's new area
    assert torch.isfinite(moved).all() and float(moved.min()) >= 0 and float(moved.max()) <= 1


def test_pairs_move_the_driving_frame_its_weights_and_anchors_together():
    video = moving_blob_video(frames=6)
    marks = np.stack([fake_landmarks()] * 6)
    plain = FramePairs([video], 8, {}, landmarks=[marks], expression_weight=4.0, anchors=True)
    moved = FramePairs([video], 8, {"camera_param": CAMERA}, landmarks=[marks], expression_weight=4.0, anchors=True)
    changed = 0
    for i in range(8):
        a, b = plain[i], moved[i]
        assert torch.equal(a["source"], b["source"])  # the source is never moved
        assert torch.equal(a["anchors_source"], b["anchors_source"])
        if torch.equal(a["driving"], b["driving"]):
            continue
        changed += 1
        assert not torch.equal(a["anchors_driving"], b["anchors_driving"])
        # The mouth's weight peak follows the moved mouth anchor.
        mouth = b["anchors_driving"][:2].mean(0)  # inner lips, [-1, 1]
        x, y = ((mouth + 1) * 63 / 2).round().long().tolist()
        near = b["weights"][0, max(0, y - 2):y + 3, max(0, x - 2):x + 3]
        assert float(near.max()) > 2 * float(b["weights"][0][b["weights"][0] > 0].median())
    assert changed == 8


def test_some_pairs_unmoved_still_batch_with_moved_ones():
    video = moving_blob_video(frames=6)
    data = FramePairs([video], 16, {"camera_param": dict(CAMERA, probability=0.5)})
    batch = next(iter(DataLoader(data, batch_size=16)))
    seen = batch["weights"].flatten(1).min(1).values
    assert bool((seen == 1).any()) and bool((seen == 0).any())  # some moved (filled border), some not
    # Without camera motion or landmarks there are no weights at all, as before.
    assert "weights" not in FramePairs([video], 2, {})[0]


def test_anchor_targets_of_moved_landmarks_are_on_the_moved_frame():
    marks = fake_landmarks()
    theta = torch.tensor([[0.8, 0, 0.1], [0, 0.8, -0.05]])
    targets, valid = anchor_targets(move_landmarks(marks, theta, 64, 64), 64, 64)
    original, _ = anchor_targets(marks, 64, 64)
    # Sampling p -> 0.8 p + t shows a point q at (q - t) / 0.8.
    assert valid.all() and torch.allclose(targets, (original - torch.tensor([0.1, -0.05])) / 0.8, atol=1e-5)
