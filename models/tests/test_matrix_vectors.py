"""A small matrix applied to many vectors, rewritten elementwise (fomm.matrix_vectors): same values."""
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from conftest import HAVE_ORT
from fomm import matrix_vectors
from test_export import run_onnxruntime


def _model(axis):
    """MatMul(J, Unsqueeze(z, axis)) with J [1, 3, 1, 1, 2, 2] and z [1, 3, 4, 5, 2]."""
    nodes = [helper.make_node("Unsqueeze", ["z", "axes"], ["zc"]), helper.make_node("MatMul", ["J", "zc"], ["y"], name="mm")]
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("J", TensorProto.FLOAT, [1, 3, 1, 1, 2, 2]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 3, 4, 5, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 4, 5, 2, 1])],
        [helper.make_tensor("axes", TensorProto.INT64, [1], [axis])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])


@pytest.mark.skipif(not HAVE_ORT, reason="needs npm packages (onnxruntime-node)")
def test_the_jacobians_applied_elementwise_give_the_matmul(tmp_path):
    model = _model(-1)
    rewritten = matrix_vectors.rewrite(model)
    assert "MatMul" not in [n.op_type for n in rewritten.graph.node]
    onnx.checker.check_model(rewritten)
    rng = np.random.default_rng(0)
    inputs = {"J": rng.normal(size=(1, 3, 1, 1, 2, 2)).astype(np.float32), "z": rng.normal(size=(1, 3, 4, 5, 2)).astype(np.float32)}
    onnx.save(model, str(tmp_path / "a.onnx"))
    onnx.save(rewritten, str(tmp_path / "b.onnx"))
    want = run_onnxruntime(tmp_path / "a.onnx", inputs, tmp_path / "ra")["y"]
    got = run_onnxruntime(tmp_path / "b.onnx", inputs, tmp_path / "rb")["y"]
    assert got.shape == want.shape == (1, 3, 4, 5, 2, 1)
    assert np.abs(got - want).max() <= 1e-6
    assert np.abs(want[..., 0] - np.einsum("bkhwij,bkxyj->bkxyi", inputs["J"], inputs["z"])).max() <= 1e-5


def test_a_matmul_of_other_shapes_stays():
    # Unsqueezed elsewhere than the last axis: not a matrix times column vectors.
    assert [n.op_type for n in matrix_vectors.rewrite(_model(1)).graph.node] == ["Unsqueeze", "MatMul"]
