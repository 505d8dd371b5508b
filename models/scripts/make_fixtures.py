"""Small fixtures for the TypeScript engine tests, generated (never committed).

    /usr/bin/python3 models/scripts/make_fixtures.py build/fixtures

Writes a tiny random-weight model set, a synthetic source image and driving clip (lossless, with
an audio track, at the NTSC rate 30000/1001), and PyTorch's reference animation of them.
"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from conftest import moving_blob_video  # noqa: E402
from fomm.animate import animate  # noqa: E402
from fomm.config import build_models, load_config  # noqa: E402
from fomm.export_onnx import export_models  # noqa: E402
from fomm.train import fit_steps, make_optimizers  # noqa: E402
from fomm.checkpoint import save_checkpoint  # noqa: E402
from fomm.export_template import export_template  # noqa: E402

FPS = "30000/1001"
FRAMES = 16


def ffmpeg():
    return shutil.which("ffmpeg") or sys.exit("ffmpeg is needed to write fixtures")


def write_clip(video, path, with_audio=True):
    size = f"{video.shape[2]}x{video.shape[1]}"
    cmd = [ffmpeg(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", size, "-r", FPS, "-i", "-"]
    if with_audio:
        duration = len(video) * 1001 / 30000
        cmd += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={duration:.6f}", "-c:a", "pcm_s16le"]
    cmd += ["-c:v", "png", str(path)]
    subprocess.run(cmd, input=video.tobytes(), check=True)


def write_png(frame, path):
    size = f"{frame.shape[1]}x{frame.shape[0]}"
    subprocess.run(
        [ffmpeg(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", size, "-i", "-", "-frames:v", "1", str(path)],
        input=frame.tobytes(), check=True,
    )


def write_import_fixtures(out, config, kp_detector, generator, discriminator, source, driving):
    """Checkpoints in the full published layout (both torch formats), a template, and PyTorch outputs."""
    export_template(config, out / "templates" / "tiny-64", "tiny-64 (test)")
    nets = {"kp_detector": kp_detector, "generator": generator, "discriminator": discriminator}
    optimizers = make_optimizers(kp_detector, generator, discriminator, config["train_params"])
    # One step so the Adam states are populated as in a real checkpoint; BatchNorm stays in eval.
    for module in nets.values():
        module.eval()
    loss = sum(p.float().pow(2).sum() for net in nets.values() for p in net.parameters()) * 1e-12
    loss.backward()
    for opt in optimizers.values():
        opt.step()
    save_checkpoint(out / "tiny-legacy.pth.tar", nets, optimizers, epoch=3, legacy_format=True)
    save_checkpoint(out / "tiny-zip.pth.tar", nets, optimizers, epoch=3, legacy_format=False)
    with torch.no_grad():
        kp_s = kp_detector(source)
        kp_d = kp_detector(driving)
        result = generator(source, kp_driving=kp_d, kp_source=kp_s)
    tensors = {
        "source": source, "driving": driving, "kp_source_value": kp_s["value"], "kp_source_jacobian": kp_s["jacobian"],
        "kp_driving_value": kp_d["value"], "kp_driving_jacobian": kp_d["jacobian"], "prediction": result["prediction"],
        "occlusion_map": result["occlusion_map"],
    }
    (out / "import").mkdir(exist_ok=True)
    for name, tensor in tensors.items():
        tensor.numpy().astype(np.float32).tofile(out / "import" / f"{name}.f32")


def main(out_dir):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(3)
    config = load_config("tiny-64")
    config["train_params"]["loss_weights"]["generator_gan"] = 0
    kp_detector, generator, discriminator = build_models(config)
    # Briefly trained, so that outputs depend on the source and on the keypoints (random weights
    # give a near-constant image that any engine would "match").
    training_clips = [moving_blob_video(frames=12, size=64, seed=s) for s in range(4)]
    history = fit_steps(kp_detector, generator, discriminator, config["train_params"], training_clips, steps=120, seed=3)
    export_models(kp_detector, generator, config, out / "tiny-model", "tiny test model",
                  {"weights": "trained (fixture)", "category": "test", "training": {"steps": 120, "final_loss": history[-1]}},
                  gpu_float16=True, int8=True)

    driving = moving_blob_video(frames=FRAMES, size=64, seed=5)
    source = moving_blob_video(frames=1, size=64, seed=9)[0]
    write_clip(driving, out / "driving.avi")
    write_clip(driving[:4], out / "driving-silent.avi", with_audio=False)
    write_png(source, out / "source.png")
    write_png(driving[7], out / "source-is-frame-7.png")

    to_tensor = lambda a: torch.from_numpy(a).permute(0, 3, 1, 2).float() / 255  # noqa: E731
    result = animate(to_tensor(source[None]), to_tensor(driving), kp_detector, generator, relative=True, adapt_scale=True)
    result["prediction"].numpy().astype(np.float32).tofile(out / "reference-relative.f32")
    absolute = animate(to_tensor(source[None]), to_tensor(driving), kp_detector, generator, relative=False)
    absolute["prediction"].numpy().astype(np.float32).tofile(out / "reference-absolute.f32")
    write_import_fixtures(out, config, kp_detector, generator, discriminator, to_tensor(source[None]), to_tensor(driving[5:6]))
    (out / "reference.json").write_text(json.dumps({
        "frames": FRAMES, "fps": FPS, "width": 64, "height": 64, "layout": "float32 (N, 3, H, W) in [0, 1]",
        "kp_source": result["kp_source"]["value"][0].tolist(),
    }))
    print(f"fixtures written to {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/fixtures")
