"""Shapes, strict loading of the published layout, the closed-form inverse, ablation flags."""
import copy
import re

import pytest
import torch

from conftest import SHARED
from fomm.blocks import AntiAliasInterpolation2d, inverse_2x2, make_coordinate_grid
from fomm.config import build_models, load_config

REFERENCE = SHARED / "reference" / "fomm-checkpoints.md"


def published_listing(section):
    text = REFERENCE.read_text()
    block = re.search(rf"### {section}\n```\n(.*?)```", text, re.S).group(1)
    rows = {}
    for line in block.strip().splitlines():
        name, shape, dtype = line.split("\t")
        dims = tuple(int(x) for x in shape.strip("()").split(",") if x.strip())
        rows[name] = (dims, dtype)
    return rows


def state_dict_from_listing(rows):
    out = {}
    for name, (dims, dtype) in rows.items():
        out[name] = torch.zeros(dims, dtype=torch.int64) if dtype == "int64" else torch.randn(dims)
    return out


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared/reference/fomm-checkpoints.md is not beside the checkout")
@pytest.mark.parametrize("section", ["kp_detector", "generator", "discriminator"])
def test_published_state_dict_loads_strictly(section):
    kp_detector, generator, discriminator = build_models(load_config("vox-256"))
    module = {"kp_detector": kp_detector, "generator": generator, "discriminator": discriminator}[section]
    state = state_dict_from_listing(published_listing(section))
    module.load_state_dict(state, strict=True)
    for name, tensor in module.state_dict().items():
        assert torch.equal(tensor, state[name]), name


def test_mgif_single_jacobian_map():
    kp_detector, _, _ = build_models(load_config("mgif-256"))
    assert kp_detector.jacobian.weight.shape == (4, 35, 7, 7)
    out = kp_detector(torch.rand(1, 3, 256, 256))
    assert out["jacobian"].shape == (1, 10, 2, 2)


def test_vox_shapes():
    kp_detector, generator, _ = build_models(load_config("vox-256"))
    kp_detector.eval()
    generator.eval()
    with torch.no_grad():
        kp = kp_detector(torch.rand(2, 3, 256, 256))
        assert kp["value"].shape == (2, 10, 2) and kp["jacobian"].shape == (2, 10, 2, 2)
        assert kp["heatmap"].shape == (2, 10, 58, 58)  # 7x7 convs without padding on 64x64
        assert torch.allclose(kp["heatmap"].sum(dim=(2, 3)), torch.ones(2, 10), atol=1e-5)
        assert kp["value"].abs().max() <= 1
        out = generator(torch.rand(2, 3, 256, 256), kp_driving=kp, kp_source=kp)
    assert out["prediction"].shape == (2, 3, 256, 256)
    assert out["mask"].shape == (2, 11, 64, 64)
    assert out["occlusion_map"].shape == (2, 1, 64, 64)
    assert out["deformation"].shape == (2, 64, 64, 2)
    assert torch.allclose(out["mask"].sum(1), torch.ones(2, 64, 64), atol=1e-5)


def test_ablation_flags():
    config = load_config("tiny-64")
    config["model_params"]["common_params"]["estimate_jacobian"] = False
    config["model_params"]["generator_params"]["estimate_occlusion_map"] = False
    kp_detector, generator, _ = build_models(config)
    kp = kp_detector(torch.rand(1, 3, 64, 64))
    assert torch.equal(kp["jacobian"], torch.eye(2).expand(1, 5, 2, 2))
    out = generator(torch.rand(1, 3, 64, 64), kp_driving=kp, kp_source=kp)
    assert "occlusion_map" not in out and kp_detector.jacobian is None and generator.dense_motion_network.occlusion is None


def test_identity_motion_gives_identity_flow():
    """Same keypoints for S and D: every local motion (Eq. 4) is the identity, so the flow is too."""
    config = load_config("tiny-64")
    kp_detector, generator, _ = build_models(config)
    kp = kp_detector(torch.rand(1, 3, 64, 64))
    out = generator.dense_motion_network(torch.rand(1, 3, 64, 64), kp_driving=kp, kp_source=kp)
    grid = make_coordinate_grid(32, 32)
    assert torch.allclose(out["deformation"][0], grid, atol=1e-5)


def test_closed_form_inverse_matches_torch():
    m = torch.randn(100, 2, 2) + 3 * torch.eye(2)
    assert torch.allclose(inverse_2x2(m), torch.inverse(m), atol=1e-5)


def test_anti_alias_kernel_matches_published_size():
    down = AntiAliasInterpolation2d(3, 0.25)
    assert down.weight.shape == (3, 1, 13, 13)
    assert torch.allclose(down.weight.sum(dim=(2, 3)), torch.ones(3, 1))
    assert down(torch.rand(1, 3, 256, 256)).shape == (1, 3, 64, 64)


def test_align_corners_is_switchable():
    config = copy.deepcopy(load_config("tiny-64"))
    config["model_params"]["common_params"]["align_corners"] = False
    _, generator, _ = build_models(config)
    assert generator.align_corners is False and generator.dense_motion_network.align_corners is False


# Per published configuration: does its discriminator have spectral norm, does it see the keypoints
# (shared/reference/fomm-checkpoints.md, "Per published configuration").
PUBLISHED = {
    "vox-256": (True, False),
    "vox-adv-256": (False, True),
    "taichi-256": (False, False),
    "taichi-adv-256": (False, True),
    "mgif-256": (True, False),
    "nemo-256": (True, False),
    "bair-256": (True, False),
    "fashion-256": (False, False),
}


def discriminator_listing(sn, use_kp):
    """The published discriminator's keys and shapes (the reference lists vox's: sn, no keypoints)."""
    rows = {}
    for name, (dims, dtype) in published_listing("discriminator").items():
        if name.endswith("down_blocks.0.conv.weight_orig") and use_kp:
            dims = (dims[0], 3 + 10, *dims[2:])
        if name.endswith("down_blocks.0.conv.weight_v") and use_kp:
            dims = (13 * 4 * 4,)
        if not sn and name.endswith(("weight_u", "weight_v")):
            continue
        rows[name.replace("weight_orig", "weight") if not sn else name] = (dims, dtype)
    return rows


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared/reference/fomm-checkpoints.md is not beside the checkout")
@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_every_published_configuration_loads_all_three_networks_strictly(name):
    sn, use_kp = PUBLISHED[name]
    config = load_config(name)
    assert config["model_params"]["discriminator_params"].get("sn", False) == sn
    assert config["model_params"]["discriminator_params"].get("use_kp", False) == use_kp
    kp_detector, generator, discriminator = build_models(config)
    if name != "mgif-256":  # mgif's keypoint detector has a single Jacobian map (tested above)
        kp_detector.load_state_dict(state_dict_from_listing(published_listing("kp_detector")), strict=True)
    generator.load_state_dict(state_dict_from_listing(published_listing("generator")), strict=True)
    discriminator.load_state_dict(state_dict_from_listing(discriminator_listing(sn, use_kp)), strict=True)


def test_extends_lays_a_config_over_its_base(tmp_path):
    child = tmp_path / "child.yaml"
    child.write_text("extends: vox-256\ntrain_params:\n  batch_size: 3\n")
    merged, base = load_config(child), load_config("vox-256")
    assert merged["train_params"]["batch_size"] == 3
    assert merged["train_params"]["num_epochs"] == base["train_params"]["num_epochs"]
    assert merged["model_params"] == base["model_params"]
    loop = tmp_path / "loop.yaml"
    loop.write_text(f"extends: {loop}\n")
    with pytest.raises(ValueError, match="extends itself"):
        load_config(loop)


def _skip_models(seed=0):
    """tiny-64's generator without and with warped skips, sharing every weight the first has."""
    config = load_config("tiny-64")
    torch.manual_seed(seed)
    kp_detector, plain, _ = build_models(config)
    config["model_params"]["generator_params"]["warp_skips"] = True
    _, skipped, _ = build_models(config)
    missing, unexpected = skipped.load_state_dict(plain.state_dict(), strict=False)
    assert not unexpected and missing and all(k.startswith("skip_fusions.") for k in missing)
    return kp_detector.eval(), plain.eval(), skipped.eval()


def test_warped_skips_start_as_the_generator_without_them():
    kp_detector, plain, skipped = _skip_models()
    source, driving = torch.rand(2, 3, 64, 64), torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        kp_s, kp_d = kp_detector(source), kp_detector(driving)
        want = plain(source, kp_driving=kp_d, kp_source=kp_s)["prediction"]
        got = skipped(source, kp_driving=kp_d, kp_source=kp_s)["prediction"]
    assert torch.equal(got, want)
    # one fusion per up block, at its output's width: 16 channels at 32x32, 8 at 64x64
    assert [f.weight.shape[0] for f in skipped.skip_fusions] == [16, 8]


def test_warped_skips_learn_from_zero_and_carry_the_source_detail():
    kp_detector, _, skipped = _skip_models()
    source = torch.rand(1, 3, 64, 64)
    kp = {k: v.detach() for k, v in kp_detector(source).items()}
    skipped(source, kp_driving=kp, kp_source=kp)["prediction"].mean().backward()
    # zero weights still get a gradient (the warped features times the decoder's), so training moves them
    assert all(f.weight.grad.abs().sum() > 0 for f in skipped.skip_fusions)
    with torch.no_grad():
        for fusion in skipped.skip_fusions:
            fusion.weight.normal_(0, 0.5)
        # a change of the photo's finest detail reaches the picture through the skips...
        detail = source + 0.05 * torch.sign(torch.randn_like(source))
        base = skipped(source, kp_driving=kp, kp_source=kp)["prediction"]
        moved = skipped(detail, kp_driving=kp, kp_source=kp)["prediction"]
        with_skips = (moved - base).abs().mean()
        for fusion in skipped.skip_fusions:
            fusion.weight.zero_()
        base = skipped(source, kp_driving=kp, kp_source=kp)["prediction"]
        moved = skipped(detail, kp_driving=kp, kp_source=kp)["prediction"]
        without = (moved - base).abs().mean()
    # ...more than through the bottleneck alone
    assert with_skips > 1.5 * without


def test_weights_saved_before_the_skips_load_into_a_generator_with_them(tmp_path):
    from fomm.checkpoint import load_weights, save_weights

    _, plain, skipped = _skip_models(seed=3)
    for fusion in skipped.skip_fusions:
        fusion.weight.data.fill_(1.0)
    save_weights(tmp_path / "old.pth", {"generator": plain}, epoch=7)
    assert load_weights(tmp_path / "old.pth", {"generator": skipped}) == 7
    assert all(f.weight.abs().sum() == 0 for f in skipped.skip_fusions)  # zero, as saved, not the ones
    assert torch.equal(skipped.final.weight, plain.final.weight.half().float())
    # any other missing weight is still an error
    state = torch.load(tmp_path / "old.pth")
    del state["generator"]["final.weight"]
    torch.save(state, tmp_path / "broken.pth")
    with pytest.raises(RuntimeError, match="final.weight"):
        load_weights(tmp_path / "broken.pth", {"generator": skipped})
