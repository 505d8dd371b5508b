"""Weight-free ONNX templates, so the app can turn a published checkpoint into ONNX without Python.

For an architecture this writes the three graphs of export_onnx.py with every initializer stored as
external data in `<graph>.weights` (not kept), plus `recipe.json` that says how to compute each
initializer from a checkpoint's state dicts: copy a tensor, or fold a convolution with the
BatchNorm after it (the exporter fuses them in eval mode). The recipe is found by value: every
initializer of a random-weight export must equal exactly one candidate, or the export fails. The int8
generator's structure files (fomm.int8) are listed under "files": the importer copies them.

    /usr/bin/python3 -m fomm.export_template --config configs/vox-256.yaml --out templates/vox-256
"""
import argparse
import json
import os
import tempfile
from pathlib import Path

import onnx
import torch
from onnx import external_data_helper, numpy_helper

from .config import build_models, frame_size, load_config
from .export_onnx import export_models
from .int8 import PLAN, write_int8

BN_EPS = 1e-5


def conv_bn_pairs(prefix, module):
    """(conv, bn) name pairs where a BatchNorm directly follows a convolution in a block."""
    pairs = []
    for name, child in module.named_modules():
        conv = getattr(child, "conv", None)
        norm = getattr(child, "norm", None)
        base = f"{prefix}.{name}" if name else prefix
        if isinstance(conv, torch.nn.Conv2d) and isinstance(norm, torch.nn.BatchNorm2d):
            pairs.append((f"{base}.conv", f"{base}.norm"))
        # Pre-activation residual blocks: conv1 is followed by norm2.
        if isinstance(getattr(child, "conv1", None), torch.nn.Conv2d) and isinstance(getattr(child, "norm2", None), torch.nn.BatchNorm2d):
            pairs.append((f"{base}.conv1", f"{base}.norm2"))
    return pairs


def folded(state, conv, bn):
    scale = state[f"{bn}.weight"] / torch.sqrt(state[f"{bn}.running_var"] + BN_EPS)
    weight = state[f"{conv}.weight"] * scale.view(-1, 1, 1, 1)
    bias = (state[f"{conv}.bias"] - state[f"{bn}.running_mean"]) * scale + state[f"{bn}.bias"]
    return weight, bias


def candidates(kp_detector, generator):
    state = {f"kp_detector.{k}": v for k, v in kp_detector.state_dict().items()}
    state.update({f"generator.{k}": v for k, v in generator.state_dict().items()})
    out = [({"copy": k}, v) for k, v in state.items() if v.dtype == torch.float32]
    for prefix, module in (("kp_detector", kp_detector), ("generator", generator)):
        for conv, bn in conv_bn_pairs(prefix, module):
            weight, bias = folded(state, conv, bn)
            out.append(({"fold": {"conv": conv, "bn": bn, "part": "weight"}}, weight))
            out.append(({"fold": {"conv": conv, "bn": bn, "part": "bias"}}, bias))
    return out


def match(array, pool):
    tensor = torch.from_numpy(array.copy())
    hits = [rule for rule, value in pool if value.shape == tensor.shape and torch.allclose(value, tensor, rtol=1e-5, atol=1e-6)]
    return hits


def template_graph(path, out_dir, file, key, pool):
    """Write the graph of `path` without its weights to out_dir/file; returns its recipe entry:
    for every initializer, the rule that computes it from a checkpoint and where it goes in the
    weights file (float16 initializers say so: the importer stores the rule's value as float16)."""
    model = onnx.load(path)
    half_pool = None
    rules = []
    for init in model.graph.initializer:
        array = numpy_helper.to_array(init)
        if array.dtype.name == "float32":
            hits = match(array, pool)
        elif array.dtype.name == "float16":
            half_pool = half_pool or [(rule, value.half().float()) for rule, value in pool]
            hits = [rule for rule, value in half_pool
                    if value.shape == array.shape and torch.equal(value, torch.from_numpy(array.astype("float32")))]
        else:
            hits = []
        if not hits:
            raise RuntimeError(f"{key}: initializer {init.name} {array.shape} matches no checkpoint tensor")
        rule = {"name": init.name, "dims": list(array.shape), "rule": hits[0]}
        if array.dtype.name == "float16":
            rule["dtype"] = "float16"
        rules.append(rule)
    weights_file = f"{Path(file).stem}.weights"
    external_data_helper.convert_model_to_external_data(model, all_tensors_to_one_file=True, location=weights_file, size_threshold=0)
    onnx.save_model(model, str(out_dir / file))  # graph only; the weights file is written by the importer
    saved = onnx.load(str(out_dir / file), load_external_data=False)
    layout = {init.name: {e.key: e.value for e in init.external_data} for init in saved.graph.initializer}
    for rule in rules:
        entry = layout[rule["name"]]
        rule.update(offset=int(entry.get("offset", 0)), length=int(entry["length"]))
    stray = out_dir / weights_file
    if stray.exists():
        stray.unlink()
    return {"file": file, "weights": weights_file, "initializers": rules}


def signature(kp_detector, generator):
    sig = {}
    for prefix, module in (("kp_detector", kp_detector), ("generator", generator)):
        for key, value in module.state_dict().items():
            sig[f"{prefix}.{key}"] = list(value.shape)
    return sig


def export_template(config, out_dir, name):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    kp_detector, generator, _ = build_models(config)
    for module in list(kp_detector.modules()) + list(generator.modules()):
        if isinstance(module, torch.nn.BatchNorm2d):  # distinct statistics so folds are recognisable
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.5, 0.5)
    pool = candidates(kp_detector.eval(), generator.eval())
    graphs = {}
    with tempfile.TemporaryDirectory() as tmp:
        manifest = export_models(kp_detector, generator, config, tmp, name, gpu_float16=True)
        files = dict(manifest["files"])
        # The float16 GPU variants: their weights are the same rules' values, stored as float16.
        files.update({f"{key}_float16": spec for key, spec in manifest["gpu_float16"].items()})
        for key, spec in files.items():
            graphs[key] = template_graph(os.path.join(tmp, spec["file"]), out_dir, spec["file"], key, pool)
    # The int8 generator's structure reads the float32 generator's weights file, which the importer
    # writes; the app calibrates the int8 values itself (fomm.int8).
    plan = write_int8(out_dir / manifest["files"]["generator"]["file"], out_dir)
    manifest["int8"] = PLAN
    height, width = frame_size(config)
    recipe = {
        "format": "marionette-template/1",
        "name": name,
        "bn_eps": BN_EPS,
        "manifest": {k: v for k, v in manifest.items() if k not in ("name", "weights")},
        "signature": signature(kp_detector, generator),
        "resolution": [height, width],
        "graphs": graphs,
        # Copied as they are into every imported model.
        "files": [plan["graph"], plan["calibration_graph"], PLAN],
    }
    (out_dir / "recipe.json").write_text(json.dumps(recipe, indent=1) + "\n")
    return recipe


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--name", required=True)
    args = parser.parse_args(argv)
    recipe = export_template(load_config(args.config), args.out, args.name)
    print(json.dumps({k: len(v["initializers"]) for k, v in recipe["graphs"].items()}))


if __name__ == "__main__":
    main()
