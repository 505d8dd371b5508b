"""ONNX export: graph validity, manifest, and parity with onnxruntime (the app's runtime)."""
import json
import subprocess

import numpy as np
import onnx
import pytest
import torch

from conftest import HAVE_ORT, MODELS_DIR, REPO, moving_blob_video
from fomm.config import build_models, load_config
from fomm.export_onnx import export_models
from fomm.train import fit_steps

ORT_SCRIPT = MODELS_DIR / "scripts" / "ort_run.cjs"


def run_onnxruntime(model_path, inputs, workdir):
    workdir.mkdir(parents=True, exist_ok=True)
    spec = []
    for name, array in inputs.items():
        file = workdir / f"in-{name}.bin"
        np.ascontiguousarray(array, dtype=np.float32).tofile(file)
        spec.append({"name": name, "dims": list(array.shape), "file": str(file)})
    request = workdir / "request.json"
    request.write_text(json.dumps({"model": str(model_path), "inputs": spec, "outDir": str(workdir)}))
    subprocess.run(["node", str(ORT_SCRIPT), str(request)], cwd=REPO, check=True, capture_output=True)
    dims = json.loads((workdir / "outputs.json").read_text())
    return {name: np.fromfile(workdir / f"{name}.bin", dtype=np.float32).reshape(d) for name, d in dims.items()}


@pytest.fixture(scope="module", params=["random", "trained", "warped skips"])
def exported(tmp_path_factory, request):
    torch.manual_seed(1)
    config = load_config("tiny-64")
    if request.param == "warped skips":
        config["model_params"]["generator_params"]["warp_skips"] = True
    kp_detector, generator, discriminator = build_models(config)
    if request.param == "warped skips":
        for fusion in generator.skip_fusions:  # not the zero start: the skips must show in the graph
            fusion.weight.data.normal_(0, 0.3)
    if request.param == "trained":
        # A short real training run: weights and BatchNorm statistics as training leaves them.
        config["train_params"]["loss_weights"]["generator_gan"] = 0
        videos = [moving_blob_video(frames=12, seed=s) for s in range(3)]
        fit_steps(kp_detector, generator, discriminator, config["train_params"], videos, steps=30, seed=1)
    else:
        # Non-trivial BatchNorm statistics, as trained weights have.
        for module in list(kp_detector.modules()) + list(generator.modules()):
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.1, 0.1)
                module.running_var.uniform_(0.5, 1.5)
    out = tmp_path_factory.mktemp(f"onnx-{request.param.replace(' ', '-')}")
    before = {k: v.clone() for k, v in generator.state_dict().items()}
    manifest = export_models(kp_detector, generator, config, out, "tiny", {"weights": request.param})
    assert not kp_detector.training and not generator.training
    for key, value in generator.state_dict().items():
        assert torch.equal(value, before[key]), f"export changed {key}"
    return config, kp_detector, generator, out, manifest


def test_graphs_are_valid_onnx_with_dynamic_batch(exported):
    _, _, _, out, manifest = exported
    for key in ("kp_detector", "source_encoder", "generator"):
        model = onnx.load(out / manifest["files"][key]["file"])
        onnx.checker.check_model(model)
        assert model.opset_import[0].version >= 16
        first_input = model.graph.input[0].type.tensor_type.shape.dim[0]
        assert first_input.dim_param == "N"


def test_manifest_describes_the_graphs(exported):
    _, _, _, out, manifest = exported
    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk == manifest
    assert manifest["format"] == "marionette-model/1" and manifest["resolution"] == [64, 64] and manifest["num_kp"] == 5
    outputs = [o["name"] for o in manifest["files"]["generator"]["outputs"]]
    assert outputs == ["prediction", "occlusion_map", "mask", "deformation"]


@pytest.mark.skipif(not HAVE_ORT, reason="onnxruntime-node not installed (run npm run setup)")
@pytest.mark.parametrize("batch", [1, 3])
def test_onnxruntime_matches_pytorch(exported, tmp_path, batch):
    _, kp_detector, generator, out, manifest = exported
    source = torch.rand(batch, 3, 64, 64)
    driving = torch.rand(batch, 3, 64, 64)
    with torch.no_grad():
        kp_s = kp_detector(source)
        kp_d = kp_detector(driving)
        features = generator.encode_source(source)
        reference = generator.decode(source, features, kp_driving=kp_d, kp_source=kp_s)
    got_kp = run_onnxruntime(out / "kp_detector.onnx", {"image": source.numpy()}, tmp_path / "kp")
    got_enc = run_onnxruntime(out / "source_encoder.onnx", {"source": source.numpy()}, tmp_path / "enc")
    got_gen = run_onnxruntime(
        out / "generator.onnx",
        {
            "source": source.numpy(), "source_features": features.numpy(),
            "kp_source_value": kp_s["value"].numpy(), "kp_source_jacobian": kp_s["jacobian"].numpy(),
            "kp_driving_value": kp_d["value"].numpy(), "kp_driving_jacobian": kp_d["jacobian"].numpy(),
        },
        tmp_path / "gen",
    )
    pairs = [
        (got_kp["value"], kp_s["value"]), (got_kp["jacobian"], kp_s["jacobian"]),
        (got_enc["source_features"], features),
        (got_gen["prediction"], reference["prediction"]), (got_gen["occlusion_map"], reference["occlusion_map"]),
        (got_gen["mask"], reference["mask"]), (got_gen["deformation"], reference["deformation"]),
    ]
    for got, want in pairs:
        assert got.shape == tuple(want.shape)
        assert np.abs(got - want.numpy()).max() <= 1e-4


def test_warped_skips_encode_the_one_source_once_per_batch(exported):
    """With warped skips the generator graph encodes the source as given, before it is expanded to
    the batch, so one source costs one encoding however many frames it drives."""
    _, _, generator, out, manifest = exported
    graph = onnx.load(out / manifest["files"]["generator"]["file"]).graph
    reads_source = [n for n in graph.node if n.op_type == "Conv" and n.input[0] == "source"]
    assert bool(reads_source) == (generator.skip_fusions is not None)


@pytest.mark.skipif(not HAVE_ORT, reason="onnxruntime-node not installed (run npm run setup)")
def test_generator_takes_one_source_for_the_whole_batch(exported, tmp_path):
    """source_broadcast: one copy of the source and its features drives a batch of three frames
    exactly as three copies do (the engine keeps the single copy on the GPU)."""
    _, kp_detector, generator, out, manifest = exported
    assert manifest["source_broadcast"] is True
    source = torch.rand(1, 3, 64, 64)
    driving = torch.rand(3, 3, 64, 64)
    with torch.no_grad():
        kp_s = kp_detector(source)
        kp_d = kp_detector(driving)
        features = generator.encode_source(source)
    kp_inputs = {
        "kp_source_value": kp_s["value"].repeat(3, 1, 1).numpy(),
        "kp_source_jacobian": kp_s["jacobian"].repeat(3, 1, 1, 1).numpy(),
        "kp_driving_value": kp_d["value"].numpy(), "kp_driving_jacobian": kp_d["jacobian"].numpy(),
    }
    once = run_onnxruntime(out / "generator.onnx", {"source": source.numpy(), "source_features": features.numpy(), **kp_inputs}, tmp_path / "once")
    tiled = run_onnxruntime(
        out / "generator.onnx",
        {"source": source.repeat(3, 1, 1, 1).numpy(), "source_features": features.repeat(3, 1, 1, 1).numpy(), **kp_inputs},
        tmp_path / "tiled",
    )
    for name in ("prediction", "occlusion_map", "mask", "deformation"):
        assert once[name].shape[0] == 3
        assert np.array_equal(once[name], tiled[name]), name


@pytest.mark.skipif(not HAVE_ORT, reason="onnxruntime-node not installed (run npm run setup)")
def test_float16_storage_halves_the_files_and_keeps_the_outputs(exported, tmp_path):
    config, kp_detector, generator, out, _ = exported
    half = tmp_path / "half"
    manifest = export_models(kp_detector, generator, config, half, "tiny", {}, weights_dtype="float16")
    assert manifest["weights_dtype"] == "float16"
    for key in ("kp_detector", "generator"):
        full_size = (out / f"{key}.onnx").stat().st_size
        assert (half / f"{key}.onnx").stat().st_size < 0.6 * full_size
        model = onnx.load(half / f"{key}.onnx")
        onnx.checker.check_model(model)
        stored = [t for t in model.graph.initializer if t.data_type == onnx.TensorProto.FLOAT16]
        casts = [n for n in model.graph.node if n.op_type == "Cast" and n.input[0].endswith(".float16")]
        assert stored and len(casts) == len(stored)
    source = torch.rand(2, 3, 64, 64)
    for key, feeds in (("kp_detector", {"image": source.numpy()}),):
        want = run_onnxruntime(out / f"{key}.onnx", feeds, tmp_path / "f32")
        got = run_onnxruntime(half / f"{key}.onnx", feeds, tmp_path / "f16")
        for name in want:
            difference = np.abs(got[name] - want[name]).max()
            # float16 weights round at 2^-11 relative: small, but not nothing (not bit-identical).
            assert 0 < difference <= 2e-3 or name == "heatmap" and difference <= 2e-3, (name, difference)


def _half_variants(exported, tmp_path):
    from fomm.half_precision import convert_file

    out = exported[3]
    tmp_path.mkdir(parents=True, exist_ok=True)
    for key in ("source_encoder", "generator"):
        convert_file(out / f"{key}.onnx", tmp_path / f"{key}.fp16.onnx")
    return tmp_path


def test_half_precision_graphs_compute_in_float16_behind_float32_inputs_and_outputs(exported, tmp_path):
    """Every float tensor inside is float16 but what ONNX requires in float32 (Resize's scales,
    Range's bounds); the inputs and outputs the engine sees are float32 as before."""
    import onnx
    from onnx import TensorProto

    half = onnx.load(str(_half_variants(exported, tmp_path) / "generator.fp16.onnx"))
    graph = half.graph
    assert {v.type.tensor_type.elem_type for v in list(graph.input) + list(graph.output)} == {TensorProto.FLOAT}
    readers = {}
    for node in graph.node:
        for i, name in enumerate(node.input):
            readers.setdefault(name, []).append((node.op_type, i))
    kept = [n.output[0] for n in graph.node if n.op_type == "Constant" and n.attribute[0].t.data_type == TensorProto.FLOAT]
    kept += [t.name for t in graph.initializer if t.data_type == TensorProto.FLOAT]
    assert kept, "the Resize scales are float32 constants"
    allowed = {("Resize", 1), ("Resize", 2), ("Range", 0), ("Range", 1), ("Range", 2)}
    for name in kept:
        assert set(readers.get(name, [])) <= allowed, (name, readers.get(name))
    halves = [t for t in graph.initializer if t.data_type == TensorProto.FLOAT16]
    assert sum(np.prod(t.dims) for t in halves) > 1000  # the weights
    assert any(n.op_type == "Range" for n in graph.node)


@pytest.mark.skipif(not HAVE_ORT, reason="onnxruntime-node not installed (run npm run setup)")
def test_half_precision_graphs_match_float32_closely(exported, tmp_path):
    """The float16 encoder and generator (run here by ONNX Runtime's CPU provider; the app runs
    them on GPU providers) give the float32 graphs' outputs within float16's precision."""
    _, kp_detector, generator, out, _ = exported
    half_dir = _half_variants(exported, tmp_path / "half")
    source = torch.rand(1, 3, 64, 64)
    driving = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        kp_s = kp_detector(source)
        kp_d = kp_detector(driving)
    features = {}
    for tag, folder, suffix in (("full", out, ""), ("half", half_dir, ".fp16")):
        features[tag] = run_onnxruntime(folder / f"source_encoder{suffix}.onnx", {"source": source.numpy()}, tmp_path / f"enc-{tag}")
    inputs = {
        "source": source.numpy(), "source_features": features["full"]["source_features"],
        "kp_source_value": kp_s["value"].repeat(2, 1, 1).numpy(), "kp_source_jacobian": kp_s["jacobian"].repeat(2, 1, 1, 1).numpy(),
        "kp_driving_value": kp_d["value"].numpy(), "kp_driving_jacobian": kp_d["jacobian"].numpy(),
    }
    full = run_onnxruntime(out / "generator.onnx", inputs, tmp_path / "gen-full")
    half = run_onnxruntime(half_dir / "generator.fp16.onnx", inputs, tmp_path / "gen-half")
    scale = np.abs(features["full"]["source_features"]).max()
    assert np.abs(features["half"]["source_features"] - features["full"]["source_features"]).max() <= 0.01 * scale
    for name in ("prediction", "occlusion_map", "deformation"):
        diff = np.abs(half[name] - full[name])
        assert diff.mean() <= 2e-3 and diff.max() <= 2e-2, (name, diff.mean(), diff.max())
    # Not the same graph: float16 rounding shows.
    assert np.abs(half["prediction"] - full["prediction"]).max() > 0
