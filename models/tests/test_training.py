"""A short real training run whose loss goes down; checkpoints in both torch formats; data readers."""
import os
import shutil
import signal
import subprocess
import zipfile

import numpy as np
import pytest
import torch
import yaml

from conftest import moving_blob_video
from fomm.checkpoint import load_checkpoint, save_checkpoint
from fomm.config import build_models, load_config
from fomm.data import read_frames, read_png_strip
from fomm.train import LossLog, fit_steps, make_optimizers


def tiny_training_inputs(tmp_path, num_repeats):
    """Two short clips of PNG frames, a split naming them, and the tiny config for one epoch."""
    from skimage import io

    clips = []
    for i in range(2):
        folder = tmp_path / f"clip{i}"
        folder.mkdir()
        for t, frame in enumerate(moving_blob_video(frames=6, seed=i)):
            io.imsave(folder / f"{t:03d}.png", frame, check_contrast=False)
        clips.append(folder.name)
    split = tmp_path / "split.json"
    split.write_text('{"train": %s, "test": []}' % str(clips).replace("'", '"'))
    config = load_config("tiny-64")
    config["train_params"].update(num_epochs=1, num_repeats=num_repeats, batch_size=2)
    cfg_path = tmp_path / "tiny.yaml"
    cfg_path.write_text(yaml.safe_dump(config))
    return cfg_path, split


def test_short_training_run_reduces_loss():
    config = load_config("tiny-64")
    config["train_params"]["loss_weights"]["generator_gan"] = 0
    nets = build_models(config)
    videos = [moving_blob_video(seed=s) for s in range(3)]
    history = fit_steps(*nets, config["train_params"], videos, steps=40)
    assert np.mean(history[-8:]) < 0.7 * np.mean(history[:8]), history


@pytest.mark.parametrize("legacy", [True, False])
def test_checkpoint_round_trip_published_layout(tmp_path, legacy):
    config = load_config("tiny-64")
    nets = dict(zip(("kp_detector", "generator", "discriminator"), build_models(config)))
    optimizers = make_optimizers(nets["kp_detector"], nets["generator"], nets["discriminator"], config["train_params"])
    path = tmp_path / "ckpt.pth.tar"
    save_checkpoint(path, nets, optimizers, epoch=7, legacy_format=legacy)
    assert zipfile.is_zipfile(path) is (not legacy)
    state = torch.load(path)
    assert set(state) == {
        "generator", "kp_detector", "discriminator",
        "optimizer_generator", "optimizer_kp_detector", "optimizer_discriminator", "epoch",
    }
    fresh = dict(zip(("kp_detector", "generator", "discriminator"), build_models(config)))
    assert load_checkpoint(path, fresh) == 7
    for name in nets:
        for key, tensor in nets[name].state_dict().items():
            assert torch.equal(tensor, fresh[name].state_dict()[key]), f"{name}.{key}"


def test_training_cli_resumes(tmp_path):
    """The real entry point: one epoch, then --resume continues at epoch 2 with a loss curve."""
    from conftest import MODELS_DIR

    cfg_path, split = tiny_training_inputs(tmp_path, num_repeats=2)
    base = ["/usr/bin/python3", "-m", "fomm.train", "--config", str(cfg_path), "--split", str(split),
            "--data-root", str(tmp_path), "--out", str(tmp_path / "run"), "--log-every", "1"]
    subprocess.run(base, cwd=MODELS_DIR, check=True, capture_output=True)
    assert torch.load(tmp_path / "run" / "checkpoint.pth.tar")["epoch"] == 0
    subprocess.run(base + ["--resume", "--epochs", "2"], cwd=MODELS_DIR, check=True, capture_output=True)
    assert torch.load(tmp_path / "run" / "checkpoint.pth.tar")["epoch"] == 1
    assert (tmp_path / "run" / "loss-curve.png").stat().st_size > 0
    assert "resumed" in (tmp_path / "run" / "train.log").read_text()


def test_png_strip_and_frame_folder(tmp_path):
    from skimage import io

    video = moving_blob_video(frames=5, size=32)
    strip = np.concatenate(list(video), axis=1)
    io.imsave(tmp_path / "strip.png", strip, check_contrast=False)
    assert np.array_equal(read_png_strip(tmp_path / "strip.png", 32), video)
    with pytest.raises(ValueError, match="not a multiple"):
        read_png_strip(tmp_path / "strip.png", 30)
    assert read_frames(tmp_path / "strip.png", 32, 32, strip_frame_width=32).shape == (5, 32, 32, 3)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")
def test_video_file_decoding(tmp_path):
    video = moving_blob_video(frames=6, size=32)
    path = tmp_path / "clip.avi"
    proc = subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "32x32", "-r", "10", "-i", "-",
         "-c:v", "png", str(path)], input=video.tobytes(), check=True,
    )
    assert proc.returncode == 0
    assert np.array_equal(read_frames(path, 32, 32), video)
    with pytest.raises(RuntimeError, match="could not decode"):
        read_frames(tmp_path / "clip.avi.missing.mp4", 32, 32)


def test_same_seed_same_run():
    """Deterministic with a seed: identical data, warps and losses."""
    config = load_config("tiny-64")
    config["train_params"]["loss_weights"]["generator_gan"] = 0
    videos = [moving_blob_video(seed=s) for s in range(2)]
    runs = []
    for _ in range(2):
        torch.manual_seed(5)
        runs.append(fit_steps(*build_models(config), config["train_params"], videos, steps=3, seed=5))
    assert runs[0] == runs[1]


def test_gan_and_feature_matching_step():
    """The optional adversarial losses run and train the discriminator."""
    from fomm.full_model import DiscriminatorFullModel, GeneratorFullModel, total

    config = load_config("tiny-64")
    kp_detector, generator, discriminator = build_models(config)
    train_params = config["train_params"]
    model = GeneratorFullModel(kp_detector, generator, discriminator, train_params)
    disc_model = DiscriminatorFullModel(discriminator, train_params, model.pyramid)
    video = torch.from_numpy(moving_blob_video(frames=4)).permute(0, 3, 1, 2).float() / 255
    terms, generated = model(video[:2], video[2:], torch.Generator().manual_seed(0))
    assert {"reconstruction", "gen_gan", "feature_matching", "equivariance_value", "equivariance_jacobian"} <= set(terms)
    before = [p.detach().clone() for p in discriminator.parameters()]
    optimizer = torch.optim.Adam(discriminator.parameters(), lr=1e-3)
    disc_terms = disc_model(video[2:], generated)
    total(disc_terms).backward()
    optimizer.step()
    assert torch.isfinite(disc_terms["disc_gan"])
    assert any(not torch.equal(a, b) for a, b in zip(before, discriminator.parameters()))


def test_distributed_training_keeps_replicas_equal(tmp_path):
    """torchrun with 2 CPU processes (gloo): each trains on its half of the pairs, DDP averages the
    gradients, and after the epoch both replicas hold the same parameters; only rank 0 writes."""
    import json
    from conftest import MODELS_DIR

    cfg_path, split = tiny_training_inputs(tmp_path, num_repeats=4)
    torchrun = shutil.which("torchrun") or "torchrun"
    proc = subprocess.Popen(
        # --redirects/--tee 1: Debian's torch 1.13 on Python 3.11 cannot parse their defaults (0).
        [torchrun, "--standalone", "--nproc_per_node", "2", "--redirects", "1", "--tee", "1", "-m", "fomm.train", "--config", str(cfg_path),
         "--split", str(split), "--data-root", str(tmp_path), "--out", str(tmp_path / "run"),
         "--log-every", "1", "--threads", "1", "--check-replicas"],
        cwd=MODELS_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # its own process group: a timeout takes the ranks down with torchrun
    )
    try:
        _, stderr = proc.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    assert proc.returncode == 0, stderr[-3000:]
    record = json.loads((tmp_path / "run" / "replicas.json").read_text())
    assert record["world"] == 2 and record["parameters"] > 1000
    assert record["max_abs_diff"] == 0.0
    # One writer: one checkpoint, one loss log with the steps of one rank (4 repeats x 2 clips / 2 ranks / batch 2).
    assert torch.load(tmp_path / "run" / "checkpoint.pth.tar")["epoch"] == 0
    rows = (tmp_path / "run" / "losses.csv").read_text().strip().splitlines()
    assert len(rows) == 1 + 2
    assert "distributed: 2 processes (gloo)" in (tmp_path / "run" / "train.log").read_text()


def test_learning_rate_warms_up_after_fresh_optimizer_state():
    """Starting from weights with fresh Adam state, the first steps get a fraction of the learning
    rate rising to all of it; without a warm-up every step gets all of it."""
    from fomm.train import warmup_factor

    factors = [warmup_factor(step, 4) for step in range(6)]
    assert factors == [0.2, 0.4, 0.6, 0.8, 1.0, 1.0]
    assert all(warmup_factor(step, 0) == 1.0 for step in range(3))


def test_training_cli_warm_up_leaves_the_schedule_as_it_was(tmp_path):
    """A run started with --init and a warm-up longer than its epoch ends the epoch with the
    scheduled learning rate in the checkpoint, not a warmed-down one."""
    from conftest import MODELS_DIR
    from fomm.checkpoint import save_weights

    config_path, split = tiny_training_inputs(tmp_path, num_repeats=1)
    config = yaml.safe_load(config_path.read_text())
    kp_detector, generator, _ = build_models(config)
    init = tmp_path / "init.fp16.pth"
    save_weights(init, {"kp_detector": kp_detector, "generator": generator}, 0)
    out = tmp_path / "run"
    subprocess.run(
        ["/usr/bin/python3", "-m", "fomm.train", "--config", str(config_path), "--split", str(split),
         "--data-root", str(tmp_path), "--out", str(out), "--init", str(init), "--epochs", "2",
         "--warmup-steps", "1000", "--threads", "1", "--log-every", "1", "--weights-out", str(out / "w.fp16.pth")],
        check=True, cwd=MODELS_DIR, capture_output=True,
    )
    state = torch.load(out / "checkpoint.pth.tar", map_location="cpu")
    groups = state["optimizer_generator"]["param_groups"]
    assert groups[0]["lr"] == config["train_params"]["lr_generator"]
    assert "scheduled_lr" not in groups[0]
    log_text = (out / "train.log").read_text()
    assert "warms up over 1000 steps" in log_text
    assert "a fresh discriminator" in log_text
    # The fp16 weights keep the discriminator too, so that --init elsewhere continues with it.
    weights = torch.load(out / "w.fp16.pth", map_location="cpu")
    assert set(weights["discriminator"]) == set(state["discriminator"])
    for key, value in state["discriminator"].items():
        if value.is_floating_point():
            assert torch.equal(weights["discriminator"][key], value.half()), key
    again = tmp_path / "again"
    subprocess.run(
        ["/usr/bin/python3", "-m", "fomm.train", "--config", str(config_path), "--split", str(split),
         "--data-root", str(tmp_path), "--out", str(again), "--init", str(out / "w.fp16.pth"), "--epochs", "3",
         "--threads", "1"],
        check=True, cwd=MODELS_DIR, capture_output=True,
    )
    assert "its discriminator" in (again / "train.log").read_text()


def test_weights_carry_over_to_another_resolution(tmp_path):
    """face-128's weights start face-256: every learned tensor is taken; the anti-aliasing kernels,
    fixed by each configuration's scale, stay the new network's own."""
    from fomm.checkpoint import load_weights, save_weights

    small = build_models(load_config("face-128-v3"))
    large = build_models(load_config("face-256"))
    path = tmp_path / "w.fp16.pth"
    save_weights(path, {"kp_detector": small[0], "generator": small[1]}, 3)
    own_kernel = large[0].state_dict()["down.weight"].clone()
    assert own_kernel.shape != small[0].state_dict()["down.weight"].shape
    assert load_weights(path, {"kp_detector": large[0], "generator": large[1]}) == 3
    assert torch.equal(large[0].state_dict()["down.weight"], own_kernel)
    for net_small, net_large in zip(small[:2], large[:2]):
        for (name, a), (_, b) in zip(net_small.named_parameters(), net_large.named_parameters()):
            assert torch.equal(a.detach().half().float(), b.detach()), name


def test_loss_log_keeps_its_rows_when_a_resumed_run_adds_a_term(tmp_path):
    path = tmp_path / "losses.csv"
    first = LossLog(path)
    first.append({"reconstruction": 1.5, "step": 10})
    resumed = LossLog(path)  # a later run reads the header back
    resumed.append({"reconstruction": 1.25, "face_perceptual": 0.5, "step": 20})
    resumed.append({"reconstruction": 1.0, "face_perceptual": 0.25, "step": 30})
    lines = path.read_text().splitlines()
    assert lines == [
        "reconstruction,step,face_perceptual",
        "1.5,10,",
        "1.25,20,0.5",
        "1.0,30,0.25",
    ]
