"""The shipped architecture templates against real-size published layouts, through the app's importer.

Builds a checkpoint with the published vox-256 / mgif-256 key names and shapes (random weights,
legacy torch format as the published files use), imports it with `marionette models import`, and
compares onnxruntime on the imported graphs with PyTorch.
"""
import json
import os
import subprocess

import numpy as np
import pytest
import torch

from conftest import HAVE_ORT, REPO
from fomm.checkpoint import save_checkpoint
from fomm.config import build_models, load_config
from test_export import run_onnxruntime

CLI = REPO / "dist" / "cli.mjs"


@pytest.mark.skipif(not HAVE_ORT or not CLI.exists(), reason="needs npm packages and the built CLI (npm run build)")
@pytest.mark.parametrize("arch", ["vox-256", "mgif-256"])
def test_published_architecture_imports_and_matches_pytorch(tmp_path, arch):
    torch.manual_seed(7)
    config = load_config(arch)
    kp_detector, generator, discriminator = build_models(config)
    for module in list(kp_detector.modules()) + list(generator.modules()):
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 1.5)
    nets = {"kp_detector": kp_detector.eval(), "generator": generator.eval(), "discriminator": discriminator}
    checkpoint = tmp_path / f"{arch}-cpk.pth.tar"
    save_checkpoint(checkpoint, nets, {}, epoch=99, legacy_format=True)
    home = tmp_path / "home"
    env = {**os.environ, "MARIONETTE_HOME": str(home)}
    proc = subprocess.run(["node", str(CLI), "models", "import", str(checkpoint)], cwd=REPO, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    model_dir = home / "models" / f"{arch}-cpk"
    manifest = json.loads((model_dir / "manifest.json").read_text())
    assert manifest["num_kp"] == 10 and manifest["resolution"] == [256, 256]

    source = torch.rand(1, 3, 256, 256)
    driving = torch.rand(1, 3, 256, 256)
    with torch.no_grad():
        kp_s = kp_detector(source)
        kp_d = kp_detector(driving)
        want = generator(source, kp_driving=kp_d, kp_source=kp_s)["prediction"]
        features = generator.encode_source(source)
    got_kp = run_onnxruntime(model_dir / "kp_detector.onnx", {"image": source.numpy()}, tmp_path / "kp")
    assert np.abs(got_kp["value"] - kp_s["value"].numpy()).max() <= 1e-4
    assert np.abs(got_kp["jacobian"] - kp_s["jacobian"].numpy()).max() <= 1e-4
    got_enc = run_onnxruntime(model_dir / "source_encoder.onnx", {"source": source.numpy()}, tmp_path / "enc")
    assert np.abs(got_enc["source_features"] - features.numpy()).max() <= 1e-4
    got = run_onnxruntime(
        model_dir / "generator.onnx",
        {
            "source": source.numpy(), "source_features": features.numpy(),
            "kp_source_value": kp_s["value"].numpy(), "kp_source_jacobian": kp_s["jacobian"].numpy(),
            "kp_driving_value": kp_d["value"].numpy(), "kp_driving_jacobian": kp_d["jacobian"].numpy(),
        },
        tmp_path / "gen",
    )
    assert np.abs(got["prediction"] - want.numpy()).max() <= 1e-4
    # The float16 GPU graphs the import wrote beside them: PyTorch's frame within float16 precision.
    assert set(manifest["gpu_float16"]) == {"source_encoder", "generator"}
    got_half = run_onnxruntime(
        model_dir / manifest["gpu_float16"]["generator"]["file"],
        {
            "source": source.numpy(), "source_features": features.numpy(),
            "kp_source_value": kp_s["value"].numpy(), "kp_source_jacobian": kp_s["jacobian"].numpy(),
            "kp_driving_value": kp_d["value"].numpy(), "kp_driving_jacobian": kp_d["jacobian"].numpy(),
        },
        tmp_path / "gen-half",
    )
    diff = np.abs(got_half["prediction"] - want.numpy())
    assert 0 < diff.max() and diff.mean() <= 2 / 255, (diff.mean(), diff.max())
