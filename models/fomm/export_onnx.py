"""ONNX export, split so the app can cache per-source work, plus a manifest per model.

    kp_detector.onnx     image -> value, jacobian, heatmap
    source_encoder.onnx  source -> source_features              (once per job)
    generator.onnx       source, source_features, kp_source_*, kp_driving_* ->
                         prediction, occlusion_map, mask, deformation   (per frame)
                         source and source_features may hold one copy for the whole batch
                         (manifest "source_broadcast"): the graph repeats it, so a GPU keeps the
                         encoder's output where it is and nothing is copied per frame.

    /usr/bin/python3 -m fomm.export_onnx --config configs/face-128.yaml \
        --checkpoint ../runs/face-128/checkpoint.pth.tar --out onnx/face-128 --name "Faces 128"
"""
import argparse
import inspect
import json
import os
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .checkpoint import load_weights
from .config import build_models, frame_size, load_config

OPSET = 16
MANIFEST_FORMAT = "marionette-model/1"


class KeypointGraph(nn.Module):
    def __init__(self, kp_detector):
        super().__init__()
        self.kp_detector = kp_detector

    def forward(self, image):
        kp = self.kp_detector(image)
        return kp["value"], kp["jacobian"], kp["heatmap"]


class SourceEncoderGraph(nn.Module):
    def __init__(self, generator):
        super().__init__()
        self.generator = generator

    def forward(self, source):
        return self.generator.encode_source(source)


class GeneratorGraph(nn.Module):
    def __init__(self, generator):
        super().__init__()
        self.generator = generator

    def forward(self, source, source_features, kp_source_value, kp_source_jacobian, kp_driving_value, kp_driving_jacobian):
        # One source for every driving frame, or one per frame: Expand makes both the batch's size.
        batch = kp_driving_value.shape[0]
        # warped skips' maps from the source as given (once, where one source serves the batch)
        skips = self.generator.skip_features(source)
        if skips is not None:
            skips = [level.expand(batch, -1, -1, -1) for level in skips]
        source = source.expand(batch, -1, -1, -1)
        source_features = source_features.expand(batch, -1, -1, -1)
        out = self.generator.decode(
            source,
            source_features,
            kp_driving={"value": kp_driving_value, "jacobian": kp_driving_jacobian},
            kp_source={"value": kp_source_value, "jacobian": kp_source_jacobian},
            skips=skips,
        )
        occlusion = out.get("occlusion_map")
        if occlusion is None:  # occlusion-free ablations still expose the output, as all ones
            occlusion = torch.ones_like(out["mask"][:, :1])
        return out["prediction"], occlusion, out["mask"], out["deformation"]


def store_float16(path, min_elements=1024):
    """Store the graph's large float32 weights as float16, each behind a Cast back to float32.

    The graph still computes in float32 (ONNX Runtime folds the Casts into float32 constants when it
    loads the graph); only the file holds half the bytes. Small tensors (biases, norms) and values
    that would overflow float16 stay float32. Returns (tensors converted, bytes before, bytes after).
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(path)
    graph = model.graph
    graph_inputs = {i.name for i in graph.input}
    casts, converted = [], 0
    for tensor in graph.initializer:
        if tensor.data_type != TensorProto.FLOAT or tensor.name in graph_inputs:
            continue
        values = numpy_helper.to_array(tensor)
        if values.size < min_elements or not np.isfinite(values).all() or np.abs(values).max() > 60000:
            continue
        stored = f"{tensor.name}.float16"
        tensor.CopyFrom(numpy_helper.from_array(values.astype(np.float16), stored))
        casts.append(helper.make_node("Cast", [stored], [values_name(stored)], to=TensorProto.FLOAT,
                                      name=f"cast_{len(casts)}"))
        converted += 1
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    before = Path(path).stat().st_size
    tmp = Path(str(path) + ".partial")
    onnx.save(model, str(tmp))
    os.replace(tmp, path)
    return converted, before, Path(path).stat().st_size


def external_weights(path, location):
    """Move the graph's initializers into one external data file beside it (replacing an old one)."""
    import onnx
    from onnx import external_data_helper

    model = onnx.load(str(path))
    target = Path(path).parent / location
    if target.exists():
        target.unlink()
    external_data_helper.convert_model_to_external_data(model, all_tensors_to_one_file=True, location=location,
                                                        size_threshold=0)
    tmp = Path(str(path) + ".partial")
    onnx.save_model(model, str(tmp))
    os.replace(tmp, path)


def values_name(stored):
    """The float32 name a float16-stored weight is cast back to: the name the graph's nodes use."""
    return stored[: -len(".float16")]


def _io_spec(names, tensors):
    return [{"name": n, "shape": ["N"] + list(t.shape[1:]), "dtype": "float32"} for n, t in zip(names, tensors)]


def _export(module, args, path, input_names, output_names):
    # The wrapper must be in eval mode itself: export restores the wrapper's mode afterwards, and a
    # wrapper left in training mode would switch BatchNorm back to updating its running statistics.
    module.eval()
    with torch.no_grad():
        outputs = module(*args)
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    dynamic = {name: {0: "N"} for name in input_names + output_names}
    tmp = Path(str(path) + ".partial")
    # The TorchScript exporter: newer PyTorch defaults to the dynamo one, which needs opset >= 18.
    legacy = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    torch.onnx.export(
        module, args, str(tmp), opset_version=OPSET, input_names=input_names, output_names=output_names,
        dynamic_axes=dynamic, do_constant_folding=True, **legacy,
    )
    os.replace(tmp, path)
    return {"inputs": _io_spec(input_names, args), "outputs": _io_spec(output_names, outputs)}


def export_models(kp_detector, generator, config, out_dir, name, extra_manifest=None, batch=2, weights_dtype="float32",
                  gpu_float16=False, int8=False):
    """Export the three graphs in eval mode and write manifest.json; returns the manifest.

    weights_dtype "float16" stores the large weights at half size (store_float16): the graphs still
    compute in float32. gpu_float16 also writes float16-computing variants of the source encoder and
    the generator (fomm.half_precision), which the app runs on GPU providers; the keypoint detector
    (3% of the work, and its soft-argmax wants the precision) stays float32 everywhere. int8 also
    writes the structure of an int8 generator (fomm.int8), which the app calibrates on a job's own
    frames and runs on the CPU; the float32 generator's weights then live in generator.weights, which
    both graphs read."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    kp_detector.eval()
    generator.eval()
    height, width = frame_size(config)
    common = config["model_params"]["common_params"]
    num_kp = common["num_kp"]
    image = torch.rand(batch, 3, height, width)
    files = {}
    with torch.no_grad():
        files["kp_detector"] = _export(KeypointGraph(kp_detector), (image,), out_dir / "kp_detector.onnx",
                                       ["image"], ["value", "jacobian", "heatmap"])
        files["source_encoder"] = _export(SourceEncoderGraph(generator), (image,), out_dir / "source_encoder.onnx",
                                          ["source"], ["source_features"])
        kp = kp_detector(image)
        features = generator.encode_source(image)
        kp_driving = kp_detector(torch.rand(batch, 3, height, width))
        files["generator"] = _export(
            GeneratorGraph(generator),
            (image, features, kp["value"], kp["jacobian"], kp_driving["value"], kp_driving["jacobian"]),
            out_dir / "generator.onnx",
            ["source", "source_features", "kp_source_value", "kp_source_jacobian", "kp_driving_value", "kp_driving_jacobian"],
            ["prediction", "occlusion_map", "mask", "deformation"],
        )
    for key in files:
        files[key]["file"] = f"{key}.onnx"
        if weights_dtype == "float16":
            store_float16(out_dir / files[key]["file"])
    variants = {}
    if gpu_float16:
        from .half_precision import convert_file

        for key in ("source_encoder", "generator"):
            variants[key] = {"file": f"{key}.fp16.onnx"}
            convert_file(out_dir / files[key]["file"], out_dir / variants[key]["file"])
    if int8:
        from .int8 import PLAN, write_int8

        external_weights(out_dir / files["generator"]["file"], "generator.weights")
        write_int8(out_dir / files["generator"]["file"], out_dir)
    manifest = {
        "format": MANIFEST_FORMAT,
        "name": name,
        "resolution": [height, width],
        "num_kp": num_kp,
        "estimate_jacobian": bool(common.get("estimate_jacobian", True)),
        "estimate_occlusion_map": bool(config["model_params"]["generator_params"].get("estimate_occlusion_map", False)),
        "align_corners": bool(common.get("align_corners", True)),
        "opset": OPSET,
        "weights_dtype": weights_dtype,
        "source_broadcast": True,
        "architecture": config["model_params"],
        "files": files,
    }
    if variants:
        manifest["gpu_float16"] = variants
    if int8:
        manifest["int8"] = PLAN
    manifest.update(extra_manifest or {})
    tmp = out_dir / "manifest.json.partial"
    tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    os.replace(tmp, out_dir / "manifest.json")
    return manifest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True)
    parser.add_argument("--checkpoint", default=None, help="omit for random weights (tests, benchmarks)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--name", default=None)
    parser.add_argument("--extra", default=None, help="JSON file merged into the manifest (training data, metrics)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--weights-dtype", choices=("float32", "float16"), default="float32",
                        help="float16 halves the files (the graphs still compute in float32)")
    parser.add_argument("--int8", action="store_true",
                        help="also write an int8 generator's structure (the app calibrates it; CPU fast mode)")
    parser.add_argument("--gpu-float16", action="store_true",
                        help="also write float16-computing encoder and generator graphs for GPU providers")
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)
    config = load_config(args.config)
    kp_detector, generator, discriminator = build_models(config)
    if args.checkpoint:
        # A training checkpoint or fp16 weights (train --weights-out).
        load_weights(args.checkpoint, {"kp_detector": kp_detector, "generator": generator})
    extra = json.loads(Path(args.extra).read_text()) if args.extra else {}
    extra.setdefault("weights", "trained" if args.checkpoint else "random")
    if not args.checkpoint:
        extra.setdefault("seed", args.seed)  # fomm.reference_run rebuilds the same random weights from it
    manifest = export_models(kp_detector, generator, config, args.out, args.name or Path(args.out).name, extra,
                             weights_dtype=args.weights_dtype, gpu_float16=args.gpu_float16, int8=args.int8)
    print(json.dumps({k: manifest[k] for k in ("name", "resolution", "num_kp", "weights")}))


if __name__ == "__main__":
    main()
