"""Reconstruction metrics: hand-computed AKD/MKR, the reconstruction protocol, the real landmark tool."""
import json

import numpy as np
import pytest
import torch
from skimage import io

from conftest import HAVE_ORT, SHARED, moving_blob_video
from fomm.config import build_models, load_config
from fomm.data import decode_video
from fomm.checkpoint import save_checkpoint
from fomm.export_onnx import export_models
from fomm.evaluate import (
    PREDICTOR, face_landmarks, keypoint_metrics, landmark_tool, main, onnx_reconstructor, reconstruct, to_tensor,
)


def test_keypoint_metrics_by_hand():
    a = np.zeros((68, 2))
    b = a + [3.0, 4.0]  # every landmark 5 px away
    result = keypoint_metrics([a, a, None, a], [b, None, b, a])
    assert result["akd"] == pytest.approx((5 + 0) / 2)
    assert result["mkr"] == pytest.approx(1 / 3)  # face in 3 real frames, missed in 1 reconstruction
    assert result["frames_with_face"] == 3


def test_reconstruct_returns_one_frame_per_input():
    kp_detector, generator, _ = build_models(load_config("tiny-64"))
    kp_detector.eval()
    generator.eval()
    frames = moving_blob_video(frames=5)
    out = reconstruct(kp_detector, generator, frames, batch_size=2)
    assert out.shape == (5, 3, 64, 64) and 0 <= float(out.min()) and float(out.max()) <= 1


CLIP = SHARED / "datasets" / "faces" / "driving_videos" / "voxceleb2_pcavs" / "Input_00098.mp4"


@pytest.mark.skipif(not PREDICTOR.exists(), reason="Debian's libdlib-data is not installed")
@pytest.mark.skipif(not CLIP.exists(), reason="shared/datasets is not beside the checkout")
def test_landmark_tool_finds_a_real_face_and_not_noise(tmp_path):
    tool = landmark_tool(tmp_path)
    frames = decode_video(CLIP, 128, 128, max_frames=2)
    marks = face_landmarks(tool, frames)
    assert all(m is not None and m.shape == (68, 2) for m in marks)
    assert 20 < marks[0][:, 0].mean() < 108  # a face near the middle of a face crop
    noise = np.random.default_rng(0).integers(0, 256, (1, 128, 128, 3), dtype=np.uint8)
    assert face_landmarks(tool, noise) == [None]


def test_aed_by_hand():
    from fomm.evaluate import aed

    e = np.zeros(128)
    f = e.copy()
    f[0] = 0.3
    assert aed([e, e, None], [f, None, e]) == pytest.approx(0.3)
    assert aed([None], [e]) is None


@pytest.mark.skipif(not CLIP.exists(), reason="shared/datasets is not beside the checkout")
def test_embedding_tool_tells_people_apart():
    from fomm.evaluate import embedding_tool, face_embeddings

    tool = embedding_tool()
    assert tool is not None, "node and the npm packages are needed (run the README's setup)"
    other = SHARED / "datasets" / "faces" / "driving_videos" / "liveportrait" / "lp_d19.mp4"
    same = decode_video(CLIP, 128, 128, max_frames=2)
    different = decode_video(other, 128, 128, max_frames=1)
    a, b = face_embeddings(tool, same)
    (c,) = face_embeddings(tool, different)
    assert a.shape == (128,)
    # Two frames of one person are closer than two people.
    assert np.linalg.norm(a - b) < 0.5 < np.linalg.norm(a - c)
    noise = np.random.default_rng(0).integers(0, 256, (1, 128, 128, 3), dtype=np.uint8)
    assert face_embeddings(tool, noise) == [None]


def test_evaluate_command_for_a_non_face_model_reports_l1_only(tmp_path):
    clip = tmp_path / "data" / "clip"
    clip.mkdir(parents=True)
    for i, frame in enumerate(moving_blob_video(frames=4)):
        io.imsave(clip / f"{i:03d}.png", frame, check_contrast=False)
    (tmp_path / "split.json").write_text('{"train": [], "test": ["clip"]}')
    kp_detector, generator, discriminator = build_models(load_config("tiny-64"))
    nets = {"kp_detector": kp_detector, "generator": generator, "discriminator": discriminator}
    save_checkpoint(tmp_path / "ckpt.pth.tar", nets, {}, epoch=3)
    out = tmp_path / "metrics.json"
    main(["--config", "tiny-64", "--checkpoint", str(tmp_path / "ckpt.pth.tar"), "--split", str(tmp_path / "split.json"),
          "--data-root", str(tmp_path / "data"), "--out", str(out), "--cache", str(tmp_path / "cache"),
          "--category", "other", "--threads", "1"])
    metrics = json.loads(out.read_text())
    assert 0 < metrics["l1"] < 1 and metrics["clips"][0]["frames"] == 4
    assert metrics["akd"] is None and metrics["aed"] is None and metrics["landmarks"] == "not used"
    assert metrics["checkpoint_epoch"] == 3


@pytest.mark.skipif(not HAVE_ORT, reason="onnxruntime-node not installed (run npm run setup)")
def test_evaluating_the_exported_graphs_matches_pytorch_frame_by_frame(tmp_path):
    clip = tmp_path / "data" / "clip"
    clip.mkdir(parents=True)
    frames = moving_blob_video(frames=11)  # 11: one full batch of 8 and a partial one
    for i, frame in enumerate(frames):
        io.imsave(clip / f"{i:03d}.png", frame, check_contrast=False)
    (tmp_path / "split.json").write_text('{"train": [], "test": ["clip"]}')
    config = load_config("tiny-64")
    kp_detector, generator, _ = build_models(config)
    with torch.no_grad():
        kp_detector.kp.weight.mul_(30)  # peaked heatmaps: keypoints follow the blob, so motion shows
        for module in list(kp_detector.modules()) + list(generator.modules()):
            if isinstance(module, torch.nn.BatchNorm2d):  # trained-like statistics, folded by the export
                module.running_mean.uniform_(-0.1, 0.1)
                module.running_var.uniform_(0.5, 1.5)
    export_models(kp_detector, generator, config, tmp_path / "onnx", "tiny", {"weights": "random"})
    want = reconstruct(kp_detector, generator, frames)
    got = onnx_reconstructor(tmp_path / "onnx", threads=1)(frames)
    assert got.shape == want.shape == (11, 3, 64, 64)
    assert float((want - want[:1]).abs().max()) > 1e-3  # the frames differ by far more than the tolerance
    assert float((got - want).abs().max()) <= 1e-4

    out = tmp_path / "metrics.json"
    main(["--onnx", str(tmp_path / "onnx"), "--out", str(out), "--split", str(tmp_path / "split.json"),
          "--data-root", str(tmp_path / "data"), "--cache", str(tmp_path / "cache"), "--category", "other",
          "--threads", "1"])
    metrics = json.loads(out.read_text())
    assert metrics["onnx"] == str(tmp_path / "onnx") and metrics["clips"][0]["frames"] == 11
    assert metrics["l1"] == pytest.approx(float((want - to_tensor(frames)).abs().mean()), abs=1e-5)
