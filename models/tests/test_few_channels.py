"""Small float convolutions rearranged for blocked kernels (fomm.few_channels): same outputs, new shape."""
import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper

from conftest import HAVE_ORT
from fomm import few_channels
from fomm.config import build_models, load_config
from fomm.export_onnx import export_models
from test_export import run_onnxruntime

needs_ort = pytest.mark.skipif(not HAVE_ORT, reason="needs npm packages (onnxruntime-node)")


def _one_conv(tmp_path, cin, cout, kernel, height, width, bias=True, siblings=1):
    """A graph of `siblings` convolutions (same input and attributes), each to `cout` channels."""
    rng = np.random.default_rng(cout * 100 + height)
    inits, nodes, outputs = [], [], []
    for s in range(siblings):
        inputs = ["x", f"w{s}"]
        inits.append(numpy_helper.from_array(rng.normal(size=(cout, cin, kernel, kernel)).astype(np.float32), f"w{s}"))
        if bias:
            inits.append(numpy_helper.from_array(rng.normal(size=(cout,)).astype(np.float32), f"b{s}"))
            inputs.append(f"b{s}")
        nodes.append(helper.make_node("Conv", inputs, [f"y{s}"], name=f"conv{s}", kernel_shape=[kernel, kernel],
                                      pads=[kernel // 2] * 4))
        outputs.append(helper.make_tensor_value_info(f"y{s}", TensorProto.FLOAT, [1, cout, height, width]))
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, cin, height, width])],
                              outputs, inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])


def _same_outputs(tmp_path, model, rewritten, inputs, atol=1e-5):
    onnx.checker.check_model(rewritten)
    onnx.save(model, str(tmp_path / "a.onnx"))
    onnx.save(rewritten, str(tmp_path / "b.onnx"))
    want = run_onnxruntime(tmp_path / "a.onnx", inputs, tmp_path / "ra")
    got = run_onnxruntime(tmp_path / "b.onnx", inputs, tmp_path / "rb")
    assert want.keys() == got.keys()
    for name in want:
        assert got[name].shape == want[name].shape, name
        assert np.abs(got[name] - want[name]).max() <= atol, name


@needs_ort
@pytest.mark.parametrize("height,width", [(16, 16), (7, 9), (6, 5)])
@pytest.mark.parametrize("kernel,bias", [(7, True), (3, False)])
def test_a_phase_split_convolution_computes_the_same_pixels(tmp_path, height, width, kernel, bias):
    model = _one_conv(tmp_path, cin=5, cout=3, kernel=kernel, height=height, width=width, bias=bias)
    rewritten = few_channels.rewrite(model)
    convs = [n for n in rewritten.graph.node if n.op_type == "Conv"]
    assert len(convs) == 1 and [a.ints for a in convs[0].attribute if a.name == "strides"] == [[2, 2]]
    assert any(n.op_type == "DepthToSpace" for n in rewritten.graph.node)
    x = np.random.default_rng(1).normal(size=(1, 5, height, width)).astype(np.float32)
    _same_outputs(tmp_path, model, rewritten, {"x": x})


@needs_ort
def test_siblings_become_one_convolution_and_a_split(tmp_path):
    model = _one_conv(tmp_path, cin=6, cout=5, kernel=7, height=12, width=12, siblings=2)
    rewritten = few_channels.rewrite(model)
    ops = [n.op_type for n in rewritten.graph.node]
    assert ops.count("Conv") == 1 and "Split" in ops
    x = np.random.default_rng(2).normal(size=(1, 6, 12, 12)).astype(np.float32)
    _same_outputs(tmp_path, model, rewritten, {"x": x})


def test_convolutions_that_fill_a_block_or_are_not_same_convolutions_stay(tmp_path):
    wide = _one_conv(tmp_path, cin=4, cout=few_channels.BLOCK, kernel=3, height=8, width=8)
    assert few_channels.rewrite(wide).graph.node == wide.graph.node
    # 5 channels: 20 would not fit one block, so no phase split (and no sibling to merge with).
    five = _one_conv(tmp_path, cin=4, cout=5, kernel=3, height=8, width=8)
    assert [n.op_type for n in few_channels.rewrite(five).graph.node] == ["Conv"]
    strided = _one_conv(tmp_path, cin=4, cout=3, kernel=3, height=8, width=8)
    strided.graph.node[0].attribute.append(helper.make_attribute("strides", [2, 2]))
    assert [n.op_type for n in few_channels.rewrite(strided).graph.node] == ["Conv"]


@needs_ort
def test_the_generator_keeps_its_outputs(tmp_path):
    torch.manual_seed(3)
    config = load_config("tiny-64")
    kp_detector, generator, _ = build_models(config)
    export_models(kp_detector, generator, config, tmp_path, "few channels test")
    model = onnx.load(str(tmp_path / "generator.onnx"))
    rewritten = few_channels.rewrite(model)
    names = [n.name for n in rewritten.graph.node]
    assert any(n.endswith("/phases") for n in names), "the final RGB convolution is phase-split"
    assert any(n.endswith("/siblings") for n in names), "mask and occlusion are one convolution"
    rng = np.random.default_rng(4)
    size = config["dataset_params"]["frame_shape"][0]
    num_kp = config["model_params"]["common_params"]["num_kp"]
    graph_inputs = {i.name: [d.dim_value or 1 for d in i.type.tensor_type.shape.dim] for i in model.graph.input}
    inputs = {name: (rng.uniform(-0.4, 0.4, size=dims) if name.startswith("kp_") else rng.uniform(0, 1, size=dims)).astype(np.float32)
              for name, dims in graph_inputs.items()}
    assert inputs["source"].shape[-1] == size and inputs["kp_source_value"].shape[1] == num_kp
    _same_outputs(tmp_path, model, rewritten, inputs)
