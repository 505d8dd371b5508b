"""Would an int8 generator be worth shipping? Quantize one, measure its speed and its error.

ONNX Runtime's static quantization (QDQ, per-channel int8 weights, uint8 activations calibrated on
real frames, convolutions only) of an exported model's generator, after ONNX Runtime's own
pre-processing (batch norms folded into the convolutions). It then times fp32 and int8 side by side
(interleaved, the same feeds) and compares their predictions on frames not used for calibration.

This is a development experiment, not part of the app or its tests: it needs the `onnxruntime`
Python package, which Debian does not package; on a machine with the wheel at hand:

    python3 -m venv ../runs/ortq && ../runs/ortq/bin/pip install --no-index --find-links /opt/pypi/files onnxruntime onnx sympy
    ../runs/ortq/bin/python models/scripts/int8_experiment.py --model models/onnx/face-128 \
        --frames ../runs/faces-128 --out ../runs/int8 [--threads 2]

--frames is a folder of fomm.prepare_faces clips (`*.npy`, frames at the model's size); without it
the feeds are random (speed only: the error then means nothing). Prints one JSON object.
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np


def sessions(path, threads):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options)


def job_feeds(model_dir, frames_dir, count, seed, threads):
    """Generator feeds for real (source, driving) pairs of prepared clips, or random ones."""
    kp = sessions(Path(model_dir) / "kp_detector.onnx", threads)
    encoder = sessions(Path(model_dir) / "source_encoder.onnx", threads)
    generator = sessions(Path(model_dir) / "generator.onnx", threads)
    rng = np.random.default_rng(seed)
    if frames_dir is None:
        shapes = {i.name: [1 if isinstance(d, str) else d for d in i.shape] for i in generator.get_inputs()}
        return [{k: (rng.random(s) * 0.2).astype(np.float32) for k, s in shapes.items()} for _ in range(count)]
    clips = sorted(p for p in Path(frames_dir).glob("*.npy") if not p.name.endswith(".landmarks.npy"))
    feeds = []
    for i in range(count):
        frames = np.load(clips[rng.integers(len(clips))], mmap_mode="r")
        pick = lambda f: (np.asarray(frames[f]).transpose(2, 0, 1)[None] / 255).astype(np.float32)  # noqa: E731
        source, driving = pick(0), pick(int(rng.integers(len(frames))))
        ks, kd = kp.run(["value", "jacobian"], {"image": source}), kp.run(["value", "jacobian"], {"image": driving})
        feeds.append({
            "source": source, "source_features": encoder.run(None, {"source": source})[0],
            "kp_source_value": ks[0], "kp_source_jacobian": ks[1], "kp_driving_value": kd[0], "kp_driving_jacobian": kd[1],
        })
    return feeds


def float32_weights(path, out):
    """The graph with float16-stored weights (export_onnx --weights-dtype float16: an initializer
    behind a Cast) turned back into float32 initializers, so the quantizer sees the weights."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    inits = {i.name: i for i in model.graph.initializer}
    kept = []
    for node in model.graph.node:
        source = inits.get(node.input[0]) if node.op_type == "Cast" and node.input else None
        if source is not None and source.data_type == onnx.TensorProto.FLOAT16:
            value = numpy_helper.to_array(source).astype(np.float32)
            model.graph.initializer.append(numpy_helper.from_array(value, node.output[0]))
        else:
            kept.append(node)
    del model.graph.node[:]
    model.graph.node.extend(kept)
    used = {name for node in model.graph.node for name in node.input}
    for name in [i.name for i in model.graph.initializer if i.name not in used]:
        model.graph.initializer.remove(next(i for i in model.graph.initializer if i.name == name))
    target = out / "generator.fp32.onnx"
    onnx.save(model, str(target))
    return target


def quantize(model_dir, out, calibration):
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.items = iter(calibration)

        def get_next(self):
            return next(self.items, None)

    prepared = out / "generator.pre.onnx"
    quant_pre_process(str(float32_weights(Path(model_dir) / "generator.onnx", out)), str(prepared), skip_symbolic_shape=True)
    target = out / "generator.int8.onnx"
    quantize_static(str(prepared), str(target), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, op_types_to_quantize=["Conv"])
    return prepared, target


def timed(session, feeds, repeats):
    session.run(["prediction"], feeds[0])  # warm-up
    started = time.perf_counter()
    for _ in range(repeats):
        for feed in feeds:
            session.run(["prediction"], feed)
    return 1000 * (time.perf_counter() - started) / (repeats * len(feeds))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="exported model folder")
    parser.add_argument("--frames", default=None, help="folder of fomm.prepare_faces clips (real frames)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--calibration", type=int, default=32)
    parser.add_argument("--test", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    calibration = job_feeds(args.model, args.frames, args.calibration, 0, args.threads)
    test = job_feeds(args.model, args.frames, args.test, 1, args.threads)
    prepared, quantized = quantize(args.model, out, calibration)
    fp32, int8 = sessions(prepared, args.threads), sessions(quantized, args.threads)
    errors = []
    for feed in test:
        a, b = fp32.run(["prediction"], feed)[0], int8.run(["prediction"], feed)[0]
        errors.append((float(np.abs(a - b).mean()), float(((a - b) ** 2).mean())))
    mae, mse = np.mean(errors, axis=0)
    times = {"fp32": [], "int8": []}
    for _ in range(2):  # interleaved: both see the same state of the machine
        times["fp32"].append(timed(fp32, test[:4], args.repeats))
        times["int8"].append(timed(int8, test[:4], args.repeats))
    report = {
        "model": args.model, "frames": "real" if args.frames else "random", "threads": args.threads,
        "fp32_ms": [round(t, 1) for t in times["fp32"]], "int8_ms": [round(t, 1) for t in times["int8"]],
        "speed_up": round(sum(times["fp32"]) / sum(times["int8"]), 2),
        "mean_abs_255": round(255 * mae, 2), "psnr_db": round(float(10 * np.log10(1 / mse)), 2),
        "sizes_mb": {"fp32": round(prepared.stat().st_size / 1e6, 1), "int8": round(quantized.stat().st_size / 1e6, 1)},
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
