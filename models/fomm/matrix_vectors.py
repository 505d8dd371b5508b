"""Small matrices applied to many vectors, as elementwise products instead of a batched MatMul.

FOMM's dense motion network applies each keypoint's 2x2 Jacobian to every pixel's coordinates
(Eq. 4: `J @ (z - p)`), traced as `MatMul(J[N, K, 1, 1, 2, 2], Unsqueeze(z, -1)[N, K, H, W, 2, 1])`.
ONNX Runtime runs that as N*K*H*W products of a 2x2 matrix and a vector, one small GEMM each: on
the 256x256 vox generator it was the slowest non-convolution node after the grid sampling (7.8 ms of
a 125 ms int8 frame, 12.3 ms in a float32 one; `node scripts/profile-graph.mjs`). The same sum
written as `ReduceSum(J * z[..., None, :], -1)` is a broadcast multiply and a reduction over the
last axis, with the same products summed in the same order. Used for the int8 generator
(fomm.int8); the float32 graph stays the one checked against the authors' code.
"""
import onnx
from onnx import TensorProto, helper, numpy_helper


def _constant(graph, name):
    """The value of `name` when it is an initializer or a Constant node's output, else None."""
    for init in graph.initializer:
        if init.name == name:
            return numpy_helper.to_array(init)
    for node in graph.node:
        if node.op_type == "Constant" and node.output[0] == name:
            return numpy_helper.to_array(helper.get_attribute_value(node.attribute[0]))
    return None


def _column_vectors_of(graph, producer, name):
    """x when `name` is Unsqueeze(x, axes=[-1]), the vectors made columns; else None."""
    node = producer.get(name)
    if node is None or node.op_type != "Unsqueeze":
        return None
    axes = _constant(graph, node.input[1]) if len(node.input) > 1 else None
    if axes is None:
        axes = next((helper.get_attribute_value(a) for a in node.attribute if a.name == "axes"), None)
    return node.input[0] if axes is not None and list(axes) == [-1] else None


def rewrite(model):
    """A copy of `model` where every MatMul of a matrix with Unsqueeze(vectors, -1) is elementwise."""
    out = onnx.ModelProto()
    out.CopyFrom(model)
    graph = out.graph
    producer = {o: n for n in graph.node for o in n.output}
    nodes = []
    for node in graph.node:
        vectors = _column_vectors_of(graph, producer, node.input[1]) if node.op_type == "MatMul" else None
        if vectors is None:
            nodes.append(node)
            continue
        name = node.name + "/elementwise"
        graph.initializer.extend([helper.make_tensor(f"{name}/row", TensorProto.INT64, [1], [-2]),
                                  helper.make_tensor(f"{name}/last", TensorProto.INT64, [1], [-1])])
        nodes += [
            helper.make_node("Unsqueeze", [vectors, f"{name}/row"], [f"{name}/rows"], name=f"{name}/rows"),
            helper.make_node("Mul", [node.input[0], f"{name}/rows"], [f"{name}/products"], name=f"{name}/products"),
            helper.make_node("ReduceSum", [f"{name}/products", f"{name}/last"], [node.output[0]], keepdims=1, name=name),
        ]
    del graph.node[:]
    graph.node.extend(nodes)
    return out
