"""Video reconstruction metrics (paper Sec. 4, after Monkey-Net): every frame of a held-out clip is
reconstructed from the clip's first frame and that frame's keypoints.

- L1: mean absolute pixel difference, images in [0, 1].
- AKD: mean distance (pixels at the evaluation resolution) between 68 face landmarks found by an
  external detector (dlib's HOG detector + the shape predictor in Debian's libdlib-data) in the
  real and the reconstructed frame, over frames where both have a face.
- MKR: share of frames whose real frame has a detected face and whose reconstruction has none.
- AED: mean distance between identity embeddings of the real and the reconstructed frame, over
  frames where both have a face. The embedding is face-api's face recognition network (128-D, the
  npm package ships its weights; run by tools/face_embed.cjs with Node), standing in for the
  paper's re-identification / OpenFace networks, which cannot be obtained here. Faces only.

    /usr/bin/python3 -m fomm.evaluate --config configs/face-128.yaml --checkpoint RUN/checkpoint.pth.tar \
        --split data/face-split.json --data-root ../../shared/datasets --out metrics.json

With --onnx DIR instead of --config/--checkpoint, the exported graphs of a model set (e.g. the bundled
onnx/face-128) are measured as the app runs them, with onnxruntime-node (tools/reconstruct_onnx.cjs).
"""
import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import torch

from .checkpoint import load_checkpoint
from .config import build_models, frame_size, load_config
from .data import cached_frames, load_split

PREDICTOR = Path("/usr/share/dlib/shape_predictor_68_face_landmarks.dat")
TOOL_SOURCE = Path(__file__).resolve().parent.parent / "tools" / "face_landmarks.cpp"
EMBED_TOOL = Path(__file__).resolve().parent.parent / "tools" / "face_embed.cjs"
ONNX_TOOL = Path(__file__).resolve().parent.parent / "tools" / "reconstruct_onnx.cjs"
AED_EMBEDDING = "face-api face recognition net (128-D, dlib-ResNet-34 style), SSD detector + 68-landmark alignment"


def landmark_tool(build_dir):
    """Compile the dlib landmark tool once (it needs Debian's libdlib-dev and libdlib-data)."""
    binary = Path(build_dir) / "face_landmarks"
    if binary.exists() and binary.stat().st_mtime >= TOOL_SOURCE.stat().st_mtime:
        return binary
    if not PREDICTOR.exists() or shutil.which("pkg-config") is None:
        return None
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "dlib-1"], capture_output=True, text=True)
    if flags.returncode != 0:
        return None
    binary.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["g++", "-O2", "-std=c++17", str(TOOL_SOURCE), "-o", str(binary), *flags.stdout.split()], check=True)
    return binary


def face_landmarks(tool, frames):
    """uint8 (T, H, W, 3) -> list of (68, 2) arrays or None per frame."""
    _, height, width, _ = frames.shape
    proc = subprocess.run(
        [str(tool), str(PREDICTOR), str(width), str(height)], input=np.ascontiguousarray(frames).tobytes(),
        capture_output=True, check=True,
    )
    out = []
    for line in proc.stdout.decode().splitlines():
        out.append(None if line.strip() == "none" else np.array(line.split(), dtype=np.float64).reshape(68, 2))
    if len(out) != len(frames):
        raise RuntimeError(f"landmark tool returned {len(out)} results for {len(frames)} frames")
    return out


def embedding_tool():
    """The Node face-embedding command, or None when Node or the npm package is missing."""
    node = shutil.which("node")
    if node is None:
        return None
    probe = subprocess.run([node, "-e", "require.resolve('@vladmandic/face-api/package.json')"], cwd=EMBED_TOOL.parent, capture_output=True)
    return [node, str(EMBED_TOOL)] if probe.returncode == 0 else None


def face_embeddings(tool, frames):
    """uint8 (T, H, W, 3) -> list of (128,) arrays or None per frame."""
    _, height, width, _ = frames.shape
    proc = subprocess.run([*tool, str(width), str(height)], input=np.ascontiguousarray(frames).tobytes(), capture_output=True, check=True)
    out = [None if line.strip() == "none" else np.array(line.split(), dtype=np.float64) for line in proc.stdout.decode().splitlines()]
    if len(out) != len(frames):
        raise RuntimeError(f"embedding tool returned {len(out)} results for {len(frames)} frames")
    return out


def aed(real, fake):
    distances = [np.linalg.norm(r - f) for r, f in zip(real, fake) if r is not None and f is not None]
    return float(np.mean(distances)) if distances else None


def to_tensor(frames):
    return torch.from_numpy(np.array(frames, copy=True)).permute(0, 3, 1, 2).float() / 255


def to_uint8(images):
    return (images.clamp(0, 1) * 255).round().byte().permute(0, 2, 3, 1).numpy()


@torch.no_grad()
def reconstruct(kp_detector, generator, frames, batch_size=8):
    """Reconstruct every frame from frame 0 with that frame's own keypoints (absolute, as in the paper)."""
    source = to_tensor(frames[:1])
    kp_source = kp_detector(source)
    features = generator.encode_source(source)
    out = []
    for start in range(0, len(frames), batch_size):
        driving = to_tensor(frames[start : start + batch_size])
        n = driving.shape[0]
        kp_driving = kp_detector(driving)
        kp_src = {k: v.expand(n, *v.shape[1:]) for k, v in kp_source.items() if k in ("value", "jacobian")}
        result = generator.decode(source.expand(n, -1, -1, -1), features.expand(n, -1, -1, -1), kp_driving, kp_src)
        out.append(result["prediction"])
    return torch.cat(out)


def onnx_reconstructor(model_dir, threads=2):
    """Like reconstruct(), with the exported graphs in model_dir run by onnxruntime-node."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("--onnx needs Node.js and the npm packages (run: npm run setup)")

    def run(frames):
        count, height, width, _ = frames.shape
        with tempfile.TemporaryDirectory(prefix="fomm-onnx-") as work:
            inputs, outputs = Path(work) / "frames.f32", Path(work) / "predictions.f32"
            to_tensor(frames).numpy().astype(np.float32).tofile(inputs)
            subprocess.run(
                [node, str(ONNX_TOOL), str(model_dir), str(inputs), str(count), str(outputs), str(threads)],
                check=True, capture_output=True,
            )
            predictions = np.fromfile(outputs, dtype=np.float32)
        return torch.from_numpy(predictions.reshape(count, 3, height, width))

    return run


def keypoint_metrics(real_marks, fake_marks):
    distances = [np.linalg.norm(r - f, axis=1).mean() for r, f in zip(real_marks, fake_marks) if r is not None and f is not None]
    real_found = sum(r is not None for r in real_marks)
    missed = sum(r is not None and f is None for r, f in zip(real_marks, fake_marks))
    return {
        "akd": float(np.mean(distances)) if distances else None,
        "mkr": missed / real_found if real_found else None,
        "frames_with_face": real_found,
    }


def evaluate(size, rebuild, clips, cache_dir, tool=None, max_frames=None, embed=None):
    """size: (height, width) the model sees; rebuild(frames uint8 (T, H, W, 3)) -> (T, 3, H, W) in [0, 1]."""
    height, width = size
    per_clip = []
    for clip in clips:
        frames = cached_frames(clip, height, width, cache_dir)
        if max_frames:
            frames = frames[:max_frames]
        fake = rebuild(frames)
        l1 = float((fake - to_tensor(frames)).abs().mean())
        row = {"clip": Path(clip).name, "frames": int(len(frames)), "l1": l1}
        if tool is not None:
            row.update(keypoint_metrics(face_landmarks(tool, frames), face_landmarks(tool, to_uint8(fake))))
        if embed is not None:
            row["aed"] = aed(face_embeddings(embed, frames), face_embeddings(embed, to_uint8(fake)))
        per_clip.append(row)
    weights = np.array([r["frames"] for r in per_clip], dtype=np.float64)

    def weighted(key):
        values = [(r[key], w) for r, w in zip(per_clip, weights) if r.get(key) is not None]
        return float(sum(v * w for v, w in values) / sum(w for _, w in values)) if values else None

    return {
        "protocol": "video reconstruction from the first frame (paper Sec. 4); frame-weighted means over held-out clips",
        "resolution": [height, width],
        "l1": weighted("l1"),
        "akd": weighted("akd"),
        "mkr": weighted("mkr"),
        "aed": weighted("aed"),
        "aed_embedding": AED_EMBEDDING if embed else "not used (not a face model, or node / npm packages missing)",
        "landmarks": "dlib HOG face detector + 68-point shape predictor (Debian libdlib-data)" if tool else "not used",
        "clips": per_clip,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", help="model config (with --checkpoint)")
    weights = parser.add_mutually_exclusive_group(required=True)
    weights.add_argument("--checkpoint", help="training checkpoint, measured in PyTorch")
    weights.add_argument("--onnx", help="exported model set (manifest.json + graphs), measured in onnxruntime-node")
    parser.add_argument("--split", required=True)
    parser.add_argument("--data-root", required=True)
    parser.add_argument("--out", required=True, help="metrics JSON")
    parser.add_argument("--cache", default="../build/eval-cache")
    parser.add_argument("--tools", default="../build/tools")
    parser.add_argument("--max-frames", type=int, default=None, help="cap per clip, for quick runs")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--category",
        choices=["face", "other"],
        default="face",
        help="face: L1, AKD, MKR, AED; other (bodies, characters): L1 only, as the face landmark and embedding tools do not apply",
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.onnx:
        manifest = json.loads((Path(args.onnx) / "manifest.json").read_text())
        size = tuple(manifest["resolution"])
        rebuild = onnx_reconstructor(Path(args.onnx).resolve(), args.threads)
        source = {"onnx": str(args.onnx)}
    else:
        if not args.config:
            parser.error("--checkpoint needs --config")
        config = load_config(args.config)
        kp_detector, generator, _ = build_models(config)
        epoch = load_checkpoint(args.checkpoint, {"kp_detector": kp_detector, "generator": generator})
        kp_detector.eval()
        generator.eval()
        size = frame_size(config)
        rebuild = lambda frames: reconstruct(kp_detector, generator, frames)  # noqa: E731
        source = {"config": str(args.config), "checkpoint_epoch": epoch}
    faces = args.category == "face"
    tool = landmark_tool(args.tools) if faces else None
    embed = embedding_tool() if faces else None
    clips = load_split(args.split, args.data_root)["test"]
    metrics = evaluate(size, rebuild, clips, args.cache, tool, args.max_frames, embed)
    metrics.update(source)
    Path(args.out).write_text(json.dumps(metrics, indent=2) + "\n")
    print(json.dumps({k: metrics[k] for k in ("l1", "akd", "mkr", "aed", "resolution")}))


if __name__ == "__main__":
    main()
