"""Float16 variants of exported graphs, for GPU execution providers.

GPUs do float16 arithmetic at twice the float32 rate or more and move half the bytes; the CPU does
not (ONNX Runtime's CPU provider has few float16 kernels), so these variants sit beside the float32
graphs and the app picks them only on a GPU provider. The graph's inputs and outputs stay float32 (a
Cast right after each input, one right before each output), so the engine feeds and reads them as it
does the float32 graphs; inside, every float tensor -- weights, constants, casts from integers,
filled tensors -- becomes float16, except the inputs that ONNX requires in float32 (Resize's roi and
scales).

    /usr/bin/python3 -m fomm.half_precision onnx/face-128/generator.onnx onnx/face-128/generator.fp16.onnx
"""
import argparse
import os
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# (op type, input index) that must stay float32 whatever the data type of the op.
FLOAT32_INPUTS = {("Resize", 1), ("Resize", 2), ("Upsample", 1)}
# Ops without a float16 kernel (Range: the coordinate grids): they run in float32 and their
# output is cast to float16.
FLOAT32_OPS = {"Range"}


def _float_names(model):
    """The names of every float32 tensor in the graph (types from ONNX's shape inference)."""
    inferred = onnx.shape_inference.infer_shapes(model).graph
    values = list(inferred.value_info) + list(inferred.input) + list(inferred.output)
    names = {v.name for v in values if v.type.tensor_type.elem_type == TensorProto.FLOAT}
    return names | {t.name for t in inferred.initializer if t.data_type == TensorProto.FLOAT}


def _float32_only_names(model):
    """Float tensors read in a slot that must stay float32, followed back through the float nodes
    that compute them (a scale, a constant, a cast from a shape) so none of those becomes float16;
    the walk stops at integer tensors (shapes), whose sources can be float16."""
    graph = model.graph
    floats = _float_names(model)
    producers = {out: node for node in graph.node for out in node.output}
    keep = set()
    stack = [node.input[i] for node in graph.node for (op, i) in FLOAT32_INPUTS
             if node.op_type == op and len(node.input) > i and node.input[i]]
    stack += [name for node in graph.node if node.op_type in FLOAT32_OPS for name in node.input if name]
    while stack:
        name = stack.pop()
        if name in keep or name not in floats:
            continue
        keep.add(name)
        node = producers.get(name)
        if node is not None:
            stack.extend(i for i in node.input if i)
    return keep


def to_half(model, keep_float32=()):
    """The model computing in float16 with float32 inputs and outputs (a new ModelProto)."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    keep = _float32_only_names(model) | set(keep_float32)
    initializer_names = {t.name for t in graph.initializer}

    for tensor in graph.initializer:
        if tensor.data_type == TensorProto.FLOAT and tensor.name not in keep:
            values = numpy_helper.to_array(tensor)
            tensor.CopyFrom(numpy_helper.from_array(_checked_half(values, tensor.name), tensor.name))

    for node in graph.node:
        if any(out in keep for out in node.output):
            continue
        if node.op_type == "Constant":
            for attr in node.attribute:
                if attr.name == "value" and attr.t.data_type == TensorProto.FLOAT:
                    attr.t.CopyFrom(numpy_helper.from_array(_checked_half(numpy_helper.to_array(attr.t), node.name)))
        elif node.op_type == "ConstantOfShape":
            for attr in node.attribute:
                if attr.name == "value" and attr.t.data_type == TensorProto.FLOAT:
                    attr.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(attr.t).astype(np.float16)))
        elif node.op_type == "Cast":
            for attr in node.attribute:
                if attr.name == "to" and attr.i == TensorProto.FLOAT:
                    attr.i = TensorProto.FLOAT16

    # Float32-only ops: their outputs keep float32 under a new name, cast to float16 for the readers.
    islands = []
    for node in list(graph.node):
        if node.op_type not in FLOAT32_OPS:
            continue
        for k, out in enumerate(node.output):
            single = f"{out}__float32"
            node.output[k] = single
            islands.append((node, helper.make_node("Cast", [single], [out], to=TensorProto.FLOAT16, name=f"{single}_cast")))
    for node, cast in islands:
        position = list(graph.node).index(node)
        graph.node.insert(position + 1, cast)

    # Inputs: cast to float16 once, and every reader reads the cast.
    casts_in = []
    for value in graph.input:
        if value.name in initializer_names or value.type.tensor_type.elem_type != TensorProto.FLOAT:
            continue
        half = f"{value.name}__float16"
        for node in graph.node:
            for i, name in enumerate(node.input):
                if name == value.name and not (node.op_type, i) in FLOAT32_INPUTS:
                    node.input[i] = half
        casts_in.append(helper.make_node("Cast", [value.name], [half], to=TensorProto.FLOAT16, name=f"{half}_cast"))

    # Outputs: the node writes a float16 tensor under a new name (which the graph's own readers of
    # that output now read), and a Cast writes the float32 output under the old name.
    casts_out = []
    for value in graph.output:
        if value.type.tensor_type.elem_type != TensorProto.FLOAT:
            continue
        half = f"{value.name}__float16"
        for node in graph.node:
            node.output[:] = [half if o == value.name else o for o in node.output]
            node.input[:] = [half if i == value.name else i for i in node.input]
        casts_out.append(helper.make_node("Cast", [half], [value.name], to=TensorProto.FLOAT, name=f"{half}_cast"))

    nodes = casts_in + list(graph.node) + casts_out
    del graph.node[:]
    graph.node.extend(nodes)
    # Intermediate types are inferred again by ONNX Runtime; the recorded float32 ones would be wrong.
    del graph.value_info[:]
    onnx.checker.check_model(model)
    return model


def _checked_half(values, name):
    """float16 copy of a float32 array; refuses values float16 cannot hold (they would become inf)."""
    finite = values[np.isfinite(values)]
    if finite.size and np.abs(finite).max() > 65504:
        raise ValueError(f"{name}: values up to {np.abs(finite).max():g} do not fit float16")
    return values.astype(np.float16)


def convert_file(src, dst, keep_float32=()):
    """Write the float16 variant of the graph in `src` to `dst` (atomically); returns dst's size."""
    model = to_half(onnx.load(str(src)), keep_float32)
    dst = Path(dst)
    tmp = dst.with_name(dst.name + ".partial")
    onnx.save(model, str(tmp))
    os.replace(tmp, dst)
    return dst.stat().st_size


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("src")
    parser.add_argument("dst")
    args = parser.parse_args(argv)
    print(f"{args.dst}: {convert_file(args.src, args.dst)} bytes")


if __name__ == "__main__":
    main()
