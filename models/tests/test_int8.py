"""The int8 generator's structure (fomm.int8): valid graphs, a plan the app can fill, nothing lost."""
import json

import onnx
import pytest
import torch

from fomm.config import build_models, load_config
from fomm.export_onnx import export_models
from fomm.int8 import CALIBRATION, GRAPH, PLAN, WEIGHTS


@pytest.fixture(scope="module", params=["float32", "float16"])
def model_dir(tmp_path_factory, request):
    torch.manual_seed(2)
    kp_detector, generator, _ = build_models(load_config("tiny-64"))
    out = tmp_path_factory.mktemp(f"int8-{request.param}")
    manifest = export_models(kp_detector, generator, load_config("tiny-64"), out, "int8 test",
                             weights_dtype=request.param, int8=True)
    assert manifest["int8"] == PLAN
    return out


def test_graphs_are_valid_and_the_float_weights_moved_out(model_dir):
    plan = json.loads((model_dir / PLAN).read_text())
    # The int8 values are the app's to write (after calibration); zeros stand in for them here.
    size = max(s["offset"] + s["length"] for s in plan["slots"])
    (model_dir / WEIGHTS).write_bytes(bytes(size))
    try:
        for name in (GRAPH, CALIBRATION, "generator.onnx"):
            onnx.checker.check_model(str(model_dir / name))
    finally:
        (model_dir / WEIGHTS).unlink()
    assert (model_dir / "generator.weights").stat().st_size > 0
    float_graph = onnx.load(str(model_dir / "generator.onnx"), load_external_data=False)
    assert all(i.data_location == onnx.TensorProto.EXTERNAL for i in float_graph.graph.initializer if len(i.dims) > 0 and i.dims[0] > 16)


def test_every_quantized_convolution_reads_dequantized_inputs_and_weights(model_dir):
    plan = json.loads((model_dir / PLAN).read_text())
    graph = onnx.load(str(model_dir / GRAPH), load_external_data=False).graph
    producer = {o: n for n in graph.node for o in n.output}
    quantized = [n for n in graph.node if n.op_type == "Conv" and n.input[1].startswith("int8/")]
    assert len(quantized) == len(plan["convs"]) > 5
    for conv in quantized:
        for name in conv.input:
            assert producer[name].op_type == "DequantizeLinear", (conv.name, name)
        # Its output goes through a Quantize/Dequantize pair before anything reads it.
        readers = [n for n in graph.node if conv.output[0] in n.input]
        assert [r.op_type for r in readers] == ["QuantizeLinear"]
    # The float weights of quantized convolutions are gone from the int8 graph.
    names = {i.name for i in graph.initializer}
    floats = onnx.load(str(model_dir / "generator.onnx"), load_external_data=False).graph
    conv_weights = {n.input[1] for n in floats.node if n.op_type == "Conv"}
    assert not any(w in names for w in conv_weights if not w.startswith("int8/") and any(c.input[1] == w for c in quantized))


def test_the_plan_lays_out_every_external_value_once(model_dir):
    plan = json.loads((model_dir / PLAN).read_text())
    graph = onnx.load(str(model_dir / GRAPH), load_external_data=False).graph
    external = {}
    for init in graph.initializer:
        entries = {e.key: e.value for e in init.external_data}
        if entries.get("location") == WEIGHTS:
            external[init.name] = (int(entries["offset"]), int(entries["length"]))
    assert external == {s["name"]: (s["offset"], s["length"]) for s in plan["slots"]}
    spans = sorted((s["offset"], s["offset"] + s["length"]) for s in plan["slots"])
    assert all(end <= nxt for (_, end), (nxt, _) in zip(spans, spans[1:]))
    assert all(s["offset"] % 16 == 0 for s in plan["slots"])
    tensors = set(plan["tensors"])
    assert {s["of"] for s in plan["slots"] if s["kind"] in ("scale", "zero")} == tensors


def test_the_calibration_graph_returns_what_calibration_needs(model_dir):
    plan = json.loads((model_dir / PLAN).read_text())
    graph = onnx.load(str(model_dir / CALIBRATION), load_external_data=False).graph
    outputs = {o.name for o in graph.output}
    assert {"prediction", *plan["tensors"]} <= outputs
    for i, conv in enumerate(plan["convs"]):
        assert f"int8/conv{i}/weight/float" in outputs
        assert (f"int8/conv{i}/bias/float" in outputs) == conv["bias"]
    # It reads the float32 generator's own weights file: no second copy.
    locations = {e.value for i in graph.initializer for e in i.external_data if e.key == "location"}
    assert locations == {"generator.weights"}


def test_few_channel_convolutions_stay_float_and_are_rearranged(model_dir):
    from fomm.int8 import MIN_CHANNELS

    plan = json.loads((model_dir / PLAN).read_text())
    assert all(conv["channels"] >= MIN_CHANNELS for conv in plan["convs"])
    floats = onnx.load(str(model_dir / "generator.onnx"), load_external_data=False).graph
    small = [n for n in floats.node if n.op_type == "Conv" and n.output[0] not in {c["output"] for c in plan["convs"]}]
    assert {n.name for n in small} >= {"/final/Conv", "/dense_motion_network/mask/Conv", "/dense_motion_network/occlusion/Conv"}
    graph = onnx.load(str(model_dir / GRAPH), load_external_data=False).graph
    names = {n.name for n in graph.node}
    # fomm.few_channels: the RGB convolution phase-split, mask and occlusion one convolution.
    assert "/final/Conv/phases" in names and "/dense_motion_network/mask/Conv/siblings" in names


def test_nearest_upsampling_before_a_quantized_convolution_runs_on_uint8(model_dir):
    plan = json.loads((model_dir / PLAN).read_text())
    graph = onnx.load(str(model_dir / GRAPH), load_external_data=False).graph
    producer = {o: n for n in graph.node for o in n.output}
    resizes = [n for n in graph.node if n.op_type == "Resize" and n.output[0] in plan["tensors"]]
    assert resizes, "the tiny model upsamples into quantized convolutions"
    for resize in resizes:
        dq = producer[resize.input[0]]
        q = producer[dq.input[0]]
        assert (dq.op_type, q.op_type) == ("DequantizeLinear", "QuantizeLinear")
        # The same scale and zero point as after it: ONNX Runtime drops the pair and resizes uint8.
        t = resize.output[0]
        assert list(q.input[1:]) == list(dq.input[1:]) == [f"int8/{t}/scale", f"int8/{t}/zero"]


def test_the_jacobians_are_applied_elementwise(model_dir):
    graph = onnx.load(str(model_dir / GRAPH), load_external_data=False).graph
    floats = onnx.load(str(model_dir / "generator.onnx"), load_external_data=False).graph
    assert sum(n.op_type == "MatMul" for n in graph.node) == sum(n.op_type == "MatMul" for n in floats.node) - 1
    assert any(n.name.endswith("/elementwise") and n.op_type == "ReduceSum" for n in graph.node)
