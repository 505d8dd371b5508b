"""The PyTorch reference on a whole job, timed, and the work each network does per frame.

`marionette bench` runs this beside the engine, on the same photo, clip and weights, so their ratio
is measured in one run on one machine (absolute times differ between machines; ratios do not).
The job is done the way the authors' demo does it: every frame of the clip decoded and resized,
then one frame at a time through the keypoint detector and the whole generator (the source encoded
again each frame), relative motion with adapt scale, the frames encoded to H.264 by ffmpeg.

    /usr/bin/python3 -m fomm.reference_run --model DIR [--weights W.pth] [--seed 0] \
        --source photo.png --driving clip.mp4 --frames 60 --out out.mp4 [--threads N]
    /usr/bin/python3 -m fomm.reference_run --model DIR --macs-only

DIR is an exported model folder: its manifest's `architecture` builds the networks. Without
--weights they are the random ones `fomm.export_onnx --seed S` made for that folder (same seed, same
construction order, so the same numbers). Prints one JSON object.
"""
import argparse
import json
import os
import subprocess
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .animate import animate
from .checkpoint import load_weights
from .config import build_models
from .data import decode_video, ffmpeg_binary
from .evaluate import to_tensor, to_uint8


def config_of(model_dir):
    manifest = json.loads((Path(model_dir) / "manifest.json").read_text())
    return manifest, {"model_params": manifest["architecture"]}


def build(model_dir, weights=None, seed=0):
    manifest, config = config_of(model_dir)
    torch.manual_seed(seed)  # as fomm.export_onnx does before it builds the networks
    kp_detector, generator, _ = build_models(config)
    if weights:
        load_weights(weights, {"kp_detector": kp_detector, "generator": generator})
    return manifest, kp_detector.eval(), generator.eval()


def count_macs(module, run):
    """Multiply-accumulates of every convolution and linear layer `run()` goes through, per batch item."""
    total = [0]

    def conv_hook(layer, inputs, output):
        per_output = layer.in_channels // layer.groups * int(np.prod(layer.kernel_size))
        total[0] += per_output * output[0].numel()

    def linear_hook(layer, inputs, output):
        total[0] += layer.in_features * output[0].numel()

    handles = []
    for layer in module.modules():
        if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d)):
            handles.append(layer.register_forward_hook(conv_hook))
        elif isinstance(layer, nn.Linear):
            handles.append(layer.register_forward_hook(linear_hook))
    try:
        with torch.no_grad():
            run()
    finally:
        for handle in handles:
            handle.remove()
    return total[0]


def macs_per_frame(manifest, kp_detector, generator):
    """MACs of the three exported graphs at batch 1: kp_detector, source_encoder, generator (decode)."""
    height, width = manifest["resolution"]
    image = torch.rand(1, 3, height, width)
    with torch.no_grad():
        kp = kp_detector(image)
        features = generator.encode_source(image)
    return {
        "kp_detector": count_macs(kp_detector, lambda: kp_detector(image)),
        "source_encoder": count_macs(generator, lambda: generator.encode_source(image)),
        "generator": count_macs(generator, lambda: generator.decode(image, features, kp, kp)),
    }


def encode_mp4(frames, path, fps=30):
    _, height, width, _ = frames.shape
    subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
         "-r", str(fps), "-i", "-", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18", str(path)],
        input=np.ascontiguousarray(frames).tobytes(), check=True,
    )


def run_job(model_dir, source, driving, frames, out, weights=None, seed=0):
    started = time.perf_counter()
    manifest, kp_detector, generator = build(model_dir, weights, seed)
    height, width = manifest["resolution"]
    photo = decode_video(source, height, width, max_frames=1)
    clip = decode_video(driving, height, width, max_frames=frames)
    result = animate(to_tensor(photo), to_tensor(clip), kp_detector, generator, relative=True, adapt_scale=True)
    encode_mp4(to_uint8(result["prediction"]), out)
    seconds = time.perf_counter() - started
    return {"frames": len(clip), "seconds": seconds, "ms_per_frame": 1000 * seconds / len(clip)}


def time_stages(manifest, kp_detector, generator, device, frames, batches, half=False):
    """ms per frame of the keypoint detector and the generator (decode) on random frames, per batch
    size, on `device` (the counterpart of the engine's gpu-bench). `half`: fp16 autocast on CUDA."""
    height, width = manifest["resolution"]
    kp_detector, generator = kp_detector.to(device), generator.to(device)
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    autocast = torch.autocast("cuda", dtype=torch.float16) if half else torch.autocast("cpu", enabled=False)
    rows = []
    with torch.no_grad(), autocast:
        source = torch.rand(1, 3, height, width, device=device)
        kp_source = kp_detector(source)
        features = generator.encode_source(source)
        for batch in batches:
            images = torch.rand(batch, 3, height, width, device=device)
            sources, feats = source.expand(batch, -1, -1, -1), features.expand(batch, -1, -1, -1)
            kp_src = {k: v.expand(batch, *v.shape[1:]) for k, v in kp_source.items() if k in ("value", "jacobian")}
            generator.decode(sources, feats, kp_detector(images), kp_src)  # warm-up
            sync()
            kp_time = gen_time = 0.0
            done = 0
            while done < frames:
                start = time.perf_counter()
                kp = kp_detector(images)
                sync()
                middle = time.perf_counter()
                generator.decode(sources, feats, {"value": kp["value"], "jacobian": kp["jacobian"]}, kp_src)
                sync()
                kp_time += middle - start
                gen_time += time.perf_counter() - middle
                done += batch
            rows.append({"batch": batch, "frames": done, "keypoints_ms": 1000 * kp_time / done,
                         "generator_ms": 1000 * gen_time / done, "fps": done / (kp_time + gen_time)})
    return {"device": torch.cuda.get_device_name() if device.startswith("cuda") else "cpu",
            "dtype": "float16 (autocast)" if half else "float32", "batches": rows}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="exported model folder (manifest.json with architecture)")
    parser.add_argument("--weights", default=None, help="fp16 weights or checkpoint; omit for the folder's random ones")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source")
    parser.add_argument("--driving")
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--out")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="torch threads (default: every core)")
    parser.add_argument("--macs-only", action="store_true")
    parser.add_argument("--stages", action="store_true", help="time the keypoint detector and generator on random frames")
    parser.add_argument("--device", default="cpu", help="with --stages: cpu or cuda")
    parser.add_argument("--batches", default="1,4,8", help="with --stages: batch sizes")
    parser.add_argument("--half", action="store_true", help="with --stages on CUDA: fp16 autocast")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    manifest, kp_detector, generator = build(args.model, args.weights, args.seed)
    report = {"macs": macs_per_frame(manifest, kp_detector, generator), "threads": torch.get_num_threads()}
    if args.stages:
        batches = [int(b) for b in args.batches.split(",")]
        report.update(time_stages(manifest, kp_detector, generator, args.device, args.frames, batches, args.half))
    elif not args.macs_only:
        if not (args.source and args.driving and args.out):
            parser.error("--source, --driving and --out are needed unless --macs-only")
        report.update(run_job(args.model, args.source, args.driving, args.frames, args.out, args.weights, args.seed))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
