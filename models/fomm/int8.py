"""The generator's int8 variant, as graph structure only: the app calibrates and quantizes it.

Static int8 (ONNX Runtime's QDQ form, which its CPU provider fuses into QLinearConv): every
convolution with its own weights (not grouped) gets its input and its output quantized to uint8
(scale and zero point from the ranges seen on real frames) and its weights to int8, one scale per
output channel; the bias becomes int32 at (input scale x weight scale).

The numbers depend on the weights and on the frames, so nothing here computes them. This writes:

- `generator.int8.onnx`: the QDQ graph. Its other initializers are the float32 graph's own (same
  external data file, or embedded); every quantized value lives in `generator.int8.weights` at the
  offsets of the plan, written by the app (src-shared/int8/quantize.ts) after calibration.
- `generator.calibrate.onnx`: the float32 graph that also returns every tensor to calibrate and a
  copy of every quantized convolution's weight and bias, so the app reads them without parsing ONNX.
- `generator.int8.json`: the plan (format `marionette-int8/1`): the convolutions, the tensors, and
  for each value of the int8 weights file its kind, shape, offset and length.
"""
import json
from pathlib import Path

import onnx
from onnx import TensorProto, helper

from . import few_channels, matrix_vectors

PLAN_FORMAT = "marionette-int8/1"
GRAPH, WEIGHTS, CALIBRATION, PLAN = "generator.int8.onnx", "generator.int8.weights", "generator.calibrate.onnx", "generator.int8.json"
_BYTES = {TensorProto.FLOAT: 4, TensorProto.INT8: 1, TensorProto.UINT8: 1, TensorProto.INT32: 4}
_KIND_TYPE = {
    "weight": TensorProto.INT8, "weight_scale": TensorProto.FLOAT, "bias": TensorProto.INT32,
    "bias_scale": TensorProto.FLOAT, "scale": TensorProto.FLOAT, "zero": TensorProto.UINT8,
}


def _attr(node, name, default):
    return next((helper.get_attribute_value(a) for a in node.attribute if a.name == name), default)


# Convolutions with fewer output channels than this stay float32. ONNX Runtime's int8 convolution
# gains nothing there and its first run is slow: on the 256² vox generator (2 cores,
# scripts/profile-graph.mjs) the final 7x7 convolution to 3 channels took 34 ms a frame in int8
# against 25 ms in float32, and a session's first run took 1140 ms before this rule (and the rewrites
# below), 234 ms after (README, "CPU fast mode"). The float kernels work in blocks of 16 channels
# anyway (fomm.few_channels).
MIN_CHANNELS = 16


def quantizable(model):
    """The convolutions worth quantizing: own weights (an initializer, or a Cast of one), no groups,
    at least MIN_CHANNELS output channels."""
    stored_weights = few_channels.stored_conv_weights(model.graph)
    convs = []
    for node in model.graph.node:
        if node.op_type != "Conv" or _attr(node, "group", 1) != 1:
            continue
        stored = stored_weights.get(node.name)
        if stored is None or int(stored.dims[0]) < MIN_CHANNELS:
            continue
        convs.append({"node": node.name, "input": node.input[0], "output": node.output[0], "weight": node.input[1],
                      "bias": node.input[2] if len(node.input) > 2 and node.input[2] else None,
                      "channels": int(stored.dims[0]), "weight_dims": [int(d) for d in stored.dims]})
    return convs


def _slot(name, kind, dims, of):
    return {"name": name, "kind": kind, "dims": dims, "of": of}


def _plan(convs):
    tensors = []
    for conv in convs:
        for t in (conv["input"], conv["output"]):
            if t not in tensors:
                tensors.append(t)
    slots = []
    for t in tensors:
        slots += [_slot(f"int8/{t}/scale", "scale", [], t), _slot(f"int8/{t}/zero", "zero", [], t)]
    for i, conv in enumerate(convs):
        c = conv["channels"]
        slots += [_slot(f"int8/conv{i}/weight", "weight", conv["weight_dims"], i),
                  _slot(f"int8/conv{i}/weight_scale", "weight_scale", [c], i)]
        if conv["bias"]:
            slots += [_slot(f"int8/conv{i}/bias", "bias", [c], i), _slot(f"int8/conv{i}/bias_scale", "bias_scale", [c], i)]
    offset = 0
    for slot in slots:
        count = 1
        for d in slot["dims"]:
            count *= d
        slot["length"] = count * _BYTES[_KIND_TYPE[slot["kind"]]]
        slot["offset"] = offset
        offset += -(-slot["length"] // 16) * 16  # 16-byte aligned
    return tensors, slots


def _external(slot):
    tensor = TensorProto(name=slot["name"], data_type=_KIND_TYPE[slot["kind"]], dims=slot["dims"])
    tensor.data_location = TensorProto.EXTERNAL
    for key, value in (("location", WEIGHTS), ("offset", str(slot["offset"])), ("length", str(slot["length"]))):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    return tensor


def _prune(graph):
    """Drop nodes and initializers nothing uses any more (the float weights of quantized convs)."""
    while True:
        used = {i for n in graph.node for i in n.input} | {o.name for o in graph.output}
        dead = [n for n in graph.node if not any(o in used for o in n.output)]
        if not dead:
            break
        for n in dead:
            graph.node.remove(n)
    used = {i for n in graph.node for i in n.input} | {o.name for o in graph.output}
    for init in [i for i in graph.initializer if i.name not in used]:
        graph.initializer.remove(init)


def _upsamples_into_quantized(node, tensors):
    """A nearest-neighbour Resize whose output is a quantized convolution's input."""
    mode = _attr(node, "mode", b"nearest")
    return node.op_type == "Resize" and mode in (b"nearest", "nearest") and node.output[0] in tensors


def _with_input(node, index, name):
    new = onnx.NodeProto()
    new.CopyFrom(node)
    new.input[index] = name
    return new


def int8_graph(model, convs, tensors, slots):
    q = onnx.ModelProto()
    q.CopyFrom(model)
    graph = q.graph
    by_name = {s["name"]: s for s in slots}
    graph.initializer.extend(_external(s) for s in slots)
    produced_by_conv = {c["output"] for c in convs}
    conv_of = {c["node"]: (i, c) for i, c in enumerate(convs)}
    fed = {}  # activation -> the name quantized convolutions read it under

    def qdq_named(t, source, target, prefix):
        """Quantize `source` with tensor t's scale and zero point, and dequantize it as `target`."""
        s, z = f"int8/{t}/scale", f"int8/{t}/zero"
        assert s in by_name and z in by_name
        return [helper.make_node("QuantizeLinear", [source, s, z], [f"{prefix}/q"], name=f"{prefix}/Q"),
                helper.make_node("DequantizeLinear", [f"{prefix}/q", s, z], [target], name=f"{prefix}/DQ")]

    def qdq(t, source, target):
        return qdq_named(t, source, target, f"int8/{t}")

    def after(name):
        """Q/DQ for an activation once it exists; a conv's own output keeps its name downstream."""
        if name not in tensors:
            return []
        if name in produced_by_conv:
            fed[name] = name
            return qdq(name, f"{name}/float", name)
        fed[name] = f"{name}/dq"
        return qdq(name, name, f"{name}/dq")

    nodes = []
    existing = [i.name for i in graph.input] + [i.name for i in graph.initializer]
    for name in existing:
        nodes += after(name)
    for node in graph.node:
        if _upsamples_into_quantized(node, tensors):
            # Nearest upsampling only repeats values: quantized with its output's scale before it as
            # well, it runs on uint8 (ONNX Runtime drops the Q/DQ pair around it), a quarter of the
            # bytes of float (the generator's last one, 128 channels to 256², took 12 ms in float).
            t = node.output[0]
            before = f"int8/{t}/upsampled"
            nodes += qdq_named(t, node.input[0], before, f"int8/{t}/in")
            node = _with_input(node, 0, before)
        if node.name in conv_of:
            i, conv = conv_of[node.name]
            c = conv["channels"]
            zero_w, zero_b = f"int8/conv{i}/weight_zero", f"int8/conv{i}/bias_zero"
            graph.initializer.append(helper.make_tensor(zero_w, TensorProto.INT8, [c], [0] * c))
            nodes.append(helper.make_node("DequantizeLinear", [f"int8/conv{i}/weight", f"int8/conv{i}/weight_scale", zero_w],
                                          [f"int8/conv{i}/weight/dq"], axis=0, name=f"int8/conv{i}/weight/DQ"))
            inputs = [fed[conv["input"]], f"int8/conv{i}/weight/dq"]
            if conv["bias"]:
                graph.initializer.append(helper.make_tensor(zero_b, TensorProto.INT32, [c], [0] * c))
                nodes.append(helper.make_node("DequantizeLinear", [f"int8/conv{i}/bias", f"int8/conv{i}/bias_scale", zero_b],
                                              [f"int8/conv{i}/bias/dq"], axis=0, name=f"int8/conv{i}/bias/DQ"))
                inputs.append(f"int8/conv{i}/bias/dq")
            new = onnx.NodeProto()
            new.CopyFrom(node)
            del new.input[:]
            new.input.extend(inputs)
            new.output[0] = f"{conv['output']}/float"
            nodes.append(new)
        else:
            nodes.append(node)
        for out in node.output:
            nodes += after(out)
    del graph.node[:]
    graph.node.extend(nodes)
    _prune(graph)
    return matrix_vectors.rewrite(few_channels.rewrite(q))


def calibration_graph(model, convs, tensors):
    c = onnx.ModelProto()
    c.CopyFrom(model)
    graph = c.graph
    outputs = {o.name for o in graph.output}
    for t in tensors:
        if t not in outputs:
            graph.output.append(helper.make_tensor_value_info(t, TensorProto.FLOAT, [None] * 4))  # NCHW
    for i, conv in enumerate(convs):
        for part, rank in (("weight", 4), ("bias", 1)):
            if conv[part]:
                graph.node.append(helper.make_node("Identity", [conv[part]], [f"int8/conv{i}/{part}/float"]))
                graph.output.append(helper.make_tensor_value_info(f"int8/conv{i}/{part}/float", TensorProto.FLOAT, [None] * rank))
    return c


def write_int8(generator_path, out_dir):
    """The three int8 files for the float32 generator at `generator_path` (its weights stay where
    they are: embedded, or in the external data file beside it, which out_dir must also hold)."""
    out_dir = Path(out_dir)
    model = onnx.load(str(generator_path), load_external_data=False)
    convs = quantizable(model)
    if not convs:
        raise ValueError(f"{generator_path}: no convolution to quantize")
    tensors, slots = _plan(convs)
    onnx.save_model(int8_graph(model, convs, tensors, slots), str(out_dir / GRAPH))
    onnx.save_model(calibration_graph(model, convs, tensors), str(out_dir / CALIBRATION))
    plan = {
        "format": PLAN_FORMAT, "graph": GRAPH, "weights": WEIGHTS, "calibration_graph": CALIBRATION,
        "tensors": tensors,
        "convs": [{k: conv[k] for k in ("input", "output", "channels")} | {"bias": conv["bias"] is not None} for conv in convs],
        "slots": slots,
    }
    (out_dir / PLAN).write_text(json.dumps(plan, indent=1) + "\n")
    return plan
