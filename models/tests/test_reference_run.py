"""fomm.reference_run: the PyTorch side of `marionette bench` (work per frame, the same job timed)."""
import json
import subprocess

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from conftest import moving_blob_video
from fomm import reference_run
from fomm.config import build_models, load_config
from fomm.data import decode_video
from fomm.export_onnx import main as export_main


def test_published_vox_work_per_frame():
    """The vox-256 networks' multiply-accumulates: 1.28 G keypoints, 43.4 G generator, 10.3 G encoder."""
    config = load_config("vox-256")
    kp_detector, generator, _ = build_models(config)
    manifest = {"resolution": [256, 256]}
    macs = reference_run.macs_per_frame(manifest, kp_detector.eval(), generator.eval())
    assert round(macs["kp_detector"] / 1e9, 2) == 1.28
    assert round(macs["generator"] / 1e9, 1) == 43.4
    assert round(macs["source_encoder"] / 1e9, 1) == 10.3


def test_count_macs_of_one_convolution():
    layer = torch.nn.Conv2d(4, 6, 3, padding=1, groups=2)
    assert reference_run.count_macs(layer, lambda: layer(torch.rand(1, 4, 5, 5))) == 6 * 5 * 5 * 2 * 9


def test_random_weights_are_the_exported_ones_and_the_job_runs(tmp_path):
    out = tmp_path / "tiny"
    export_main(["--config", "configs/tiny-64.yaml", "--out", str(out), "--seed", "3"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["weights"] == "random" and manifest["seed"] == 3
    _, kp_detector, generator = reference_run.build(out, seed=manifest["seed"])
    graph = onnx.load(str(out / "generator.onnx"))
    exported = {i.name: numpy_helper.to_array(i) for i in graph.graph.initializer}
    params = {f"generator.{k}": v for k, v in generator.state_dict().items()}
    shared = [k for k in exported if k in params and exported[k].ndim == 4]
    assert shared, "the exported graph keeps its parameter names"
    for key in shared:
        assert np.array_equal(exported[key], params[key].numpy()), key

    frames = moving_blob_video(frames=8, size=64)
    clip = tmp_path / "clip.mp4"
    reference_run.encode_mp4(frames, clip)
    photo = tmp_path / "photo.mp4"
    reference_run.encode_mp4(frames[3:4], photo)
    report = reference_run.run_job(out, photo, clip, 6, tmp_path / "out.mp4", seed=3)
    assert report["frames"] == 6 and report["seconds"] > 0
    assert decode_video(tmp_path / "out.mp4", 64, 64).shape == (6, 64, 64, 3)


def test_stage_timing_on_the_cpu(tmp_path):
    out = tmp_path / "tiny"
    export_main(["--config", "configs/tiny-64.yaml", "--out", str(out)])
    manifest, kp_detector, generator = reference_run.build(out)
    report = reference_run.time_stages(manifest, kp_detector, generator, "cpu", 3, [1, 2])
    assert report["device"] == "cpu" and report["dtype"] == "float32"
    assert [(r["batch"], r["frames"]) for r in report["batches"]] == [(1, 3), (2, 4)]
    assert all(r["keypoints_ms"] > 0 and r["generator_ms"] > 0 for r in report["batches"])
