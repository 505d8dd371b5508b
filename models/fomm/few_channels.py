"""Float convolutions with few output channels, rearranged for the CPU's blocked kernels.

ONNX Runtime's x86 float convolutions work on blocks of output channels (16 with AVX-512, 8 with
AVX2), so a convolution to 3 channels costs what one to 16 does. FOMM ends in such convolutions: the
generator's final 7x7 convolution to RGB at full resolution, and the dense motion network's 7x7
mask (K+1 channels) and occlusion (1 channel) convolutions, which read the same tensor. Two
rewrites, exact up to the order of float additions:

- siblings: small convolutions that read the same input with the same attributes become one
  convolution and a Split (the mask and the occlusion map: one block instead of two);
- phases: a stride-1 "same" convolution to C channels, C x 4 <= BLOCK, becomes a stride-2
  convolution to 4C channels (one per output pixel phase (dy, dx), its kernel padded to k+1 so each
  phase sees its own shifted copy of the weights) and a DepthToSpace: a quarter of the pixels, each
  with 4C channels, fill the same block.

On the 256x256 vox generator in float32 (2 cores, AVX-512; `node scripts/profile-graph.mjs` on the
bench's generator.onnx and on its rewrite) the final convolution went from 25.0 ms a frame to 8.6 ms
(+0.5 ms for DepthToSpace) and the mask and occlusion convolutions from 6.5 ms to 3.3 ms. The extra
weights are zeros, so the sums are the same (tests/test_few_channels.py).

The new weights are nodes on the old ones (Pad, Concat, Reshape), which ONNX Runtime folds into
constants when it optimises the graph, so the files keep the float weights as they are. Used for the
int8 generator (fomm.int8), whose float graph stays the one checked against the authors' code.
"""
import onnx
from onnx import TensorProto, helper

# The widest channel block of ONNX Runtime's x86 float convolutions (AVX-512).
BLOCK = 16


def _attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def stored_conv_weights(graph):
    """Each convolution with its own weights: node name -> the stored weight (an initializer, or the
    initializer a Cast reads, as float16 exports have it)."""
    inits = {i.name: i for i in graph.initializer}
    casts = {n.output[0]: n.input[0] for n in graph.node if n.op_type == "Cast" and n.input[0] in inits}
    out = {}
    for node in graph.node:
        if node.op_type == "Conv":
            stored = inits.get(node.input[1]) or inits.get(casts.get(node.input[1], ""))
            if stored is not None:
                out[node.name] = stored
    return out


def _out_channels(graph):
    return {name: int(stored.dims[0]) for name, stored in stored_conv_weights(graph).items()}


def _small(node, channels):
    attrs = _attrs(node)
    return (node.name in channels and channels[node.name] < BLOCK and attrs.get("group", 1) == 1
            and all(d == 1 for d in attrs.get("dilations", [1, 1])))


def _int64(graph, name, values):
    graph.initializer.append(helper.make_tensor(name, TensorProto.INT64, [len(values)], values))
    return name


def _has_bias(node):
    return len(node.input) > 2 and bool(node.input[2])


def _merge_siblings(graph, channels, nodes):
    groups = {}
    for node in graph.node:
        if _small(node, channels):
            key = (node.input[0], _has_bias(node), repr(sorted(_attrs(node).items())))
            groups.setdefault(key, []).append(node)
    replaced = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        name = members[0].name + "/siblings"
        inputs = [members[0].input[0], f"{name}/weight"]
        new = [helper.make_node("Concat", [m.input[1] for m in members], [f"{name}/weight"], axis=0, name=f"{name}/weight")]
        if _has_bias(members[0]):
            new.append(helper.make_node("Concat", [m.input[2] for m in members], [f"{name}/bias"], axis=0, name=f"{name}/bias"))
            inputs.append(f"{name}/bias")
        merged = helper.make_node("Conv", inputs, [f"{name}/output"], name=name)
        merged.attribute.extend(members[0].attribute)
        split = _int64(graph, f"{name}/split", [channels[m.name] for m in members])
        new.append(merged)
        new.append(helper.make_node("Split", [f"{name}/output", split], [m.output[0] for m in members], axis=1, name=f"{name}/split"))
        channels[name] = sum(channels[m.name] for m in members)
        replaced[members[0].name] = new
        for m in members[1:]:
            replaced[m.name] = []
    return [n for node in nodes for n in replaced.get(node.name, [node])]


def _phase_split(graph, channels, node):
    """The stride-2, 4C-channel convolution and DepthToSpace that compute `node`, or None."""
    attrs = _attrs(node)
    kh, kw = attrs.get("kernel_shape", [0, 0])
    if (not _small(node, channels) or 4 * channels[node.name] > BLOCK or attrs.get("strides", [1, 1]) != [1, 1]
            or kh % 2 == 0 or kw % 2 == 0 or attrs.get("pads") != [kh // 2, kw // 2, kh // 2, kw // 2]
            or attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET")):
        return None
    c, name = channels[node.name], node.name + "/phases"
    new, phases = [], []
    for dy in (0, 1):
        for dx in (0, 1):
            # Output pixel (2i + dy, 2j + dx) reads the padded input from (2i, 2j) with the kernel
            # moved down dy and right dx inside a (k+1)-sized one.
            pads = _int64(graph, f"{name}/pads{dy}{dx}", [0, 0, dy, dx, 0, 0, 1 - dy, 1 - dx])
            new.append(helper.make_node("Pad", [node.input[1], pads], [f"{name}/w{dy}{dx}"], name=f"{name}/w{dy}{dx}"))
            phases.append(f"{name}/w{dy}{dx}")
    axis = _int64(graph, f"{name}/axis1", [1])
    for p in phases:
        new.append(helper.make_node("Unsqueeze", [p, axis], [f"{p}/1"], name=f"{p}/1"))
    new.append(helper.make_node("Concat", [f"{p}/1" for p in phases], [f"{name}/w"], axis=1, name=f"{name}/w"))
    # [C, 4, Cin, k+1, k+1] -> [4C, ...]: channel c*4 + dy*2 + dx, DepthToSpace's CRD order.
    new.append(helper.make_node("Reshape", [f"{name}/w", _int64(graph, f"{name}/wshape", [4 * c, -1, kh + 1, kw + 1])],
                                [f"{name}/weight"], name=f"{name}/weight"))
    inputs = [node.input[0], f"{name}/weight"]
    if _has_bias(node):
        new.append(helper.make_node("Unsqueeze", [node.input[2], axis], [f"{name}/b1"], name=f"{name}/b1"))
        new.append(helper.make_node("Tile", [f"{name}/b1", _int64(graph, f"{name}/reps", [1, 4])], [f"{name}/b4"], name=f"{name}/b4"))
        new.append(helper.make_node("Reshape", [f"{name}/b4", _int64(graph, f"{name}/bshape", [4 * c])], [f"{name}/bias"], name=f"{name}/bias"))
        inputs.append(f"{name}/bias")
    # One more row and column of padding at the end: an odd size gets its last phase too (cut below).
    new.append(helper.make_node("Conv", inputs, [f"{name}/output"], name=name, kernel_shape=[kh + 1, kw + 1],
                                strides=[2, 2], pads=[kh // 2, kw // 2, kh // 2 + 1, kw // 2 + 1]))
    new.append(helper.make_node("DepthToSpace", [f"{name}/output"], [f"{name}/pixels"], blocksize=2, mode="CRD", name=f"{name}/pixels"))
    new.append(helper.make_node("Shape", [node.input[0]], [f"{name}/shape"], name=f"{name}/shape"))
    new.append(helper.make_node("Slice", [f"{name}/shape", _int64(graph, f"{name}/two", [2]), _int64(graph, f"{name}/four", [4])],
                                [f"{name}/size"], name=f"{name}/size"))
    new.append(helper.make_node("Slice", [f"{name}/pixels", _int64(graph, f"{name}/zeros", [0, 0]), f"{name}/size",
                                          _int64(graph, f"{name}/hw", [2, 3])], [node.output[0]], name=f"{name}/cut"))
    return new


def _toposort(graph):
    ready = {i.name for i in graph.input} | {i.name for i in graph.initializer} | {""}
    pending, ordered = list(graph.node), []
    while pending:
        rest = []
        for node in pending:
            if all(i in ready for i in node.input):
                ordered.append(node)
                ready.update(node.output)
            else:
                rest.append(node)
        if len(rest) == len(pending):
            raise ValueError("few_channels: the rewritten graph has a cycle or a missing input")
        pending = rest
    del graph.node[:]
    graph.node.extend(ordered)


def rewrite(model):
    """A copy of `model` with its small float convolutions merged and phase-split."""
    out = onnx.ModelProto()
    out.CopyFrom(model)
    graph = out.graph
    channels = _out_channels(graph)
    nodes = _merge_siblings(graph, channels, list(graph.node))
    rewritten = []
    for node in nodes:
        rewritten += (_phase_split(graph, channels, node) or [node]) if node.op_type == "Conv" else [node]
    del graph.node[:]
    graph.node.extend(rewritten)
    _toposort(graph)
    return out
