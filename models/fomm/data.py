"""Training data: self-supervised frame pairs drawn from the same video.

Videos come as files (mp4/avi/mov/webm/gif via ffmpeg), folders of frames, or the stacked-PNG-strip
format (frames side by side along the width). Each is decoded once at the training resolution and
cached as a uint8 .npy, so an epoch costs no decoding.
"""
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

VIDEO_EXTENSIONS = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".gif", ".m4v"}
IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp"}


def ffmpeg_binary():
    found = os.environ.get("FFMPEG_PATH") or shutil.which("ffmpeg")
    if not found:
        raise RuntimeError("ffmpeg not found: install it or set FFMPEG_PATH")
    return found


def decode_video(path, height, width, max_frames=None):
    """All frames of a video file scaled to (height, width): uint8 (T, H, W, 3)."""
    cmd = [ffmpeg_binary(), "-v", "error", "-nostdin", "-i", str(path)]
    if max_frames:
        cmd += ["-frames:v", str(max_frames)]
    cmd += ["-vf", f"scale={width}:{height}:flags=area", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg could not decode {path}: {proc.stderr.decode(errors='replace').strip()}")
    frame_bytes = height * width * 3
    count = len(proc.stdout) // frame_bytes
    if count == 0:
        raise ValueError(f"{path} has no video frames")
    return np.frombuffer(proc.stdout[: count * frame_bytes], dtype=np.uint8).reshape(count, height, width, 3)


def _read_image(path):
    from skimage import io

    image = io.imread(path)
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    return image[..., :3]


def _resize(frames, height, width):
    from skimage.transform import resize

    if frames.shape[1:3] == (height, width):
        return frames
    out = [resize(f, (height, width), anti_aliasing=True, preserve_range=True) for f in frames]
    return np.clip(np.stack(out), 0, 255).astype(np.uint8)


def read_png_strip(path, frame_width):
    """Frames stored side by side along the width (the Monkey-Net / FOMM .png format)."""
    image = _read_image(path)
    if image.shape[1] % frame_width:
        raise ValueError(f"{path}: width {image.shape[1]} is not a multiple of the frame width {frame_width}")
    count = image.shape[1] // frame_width
    return image.reshape(image.shape[0], count, frame_width, 3).transpose(1, 0, 2, 3)


def read_frames(path, height, width, strip_frame_width=None):
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS)
        if not files:
            raise ValueError(f"{path} holds no frames")
        return _resize(np.stack([_read_image(p) for p in files]), height, width)
    suffix = path.suffix.lower()
    if suffix == ".png" and strip_frame_width:
        return _resize(read_png_strip(path, strip_frame_width), height, width)
    if suffix in VIDEO_EXTENSIONS:
        return decode_video(path, height, width)
    raise ValueError(f"{path}: not a video, a frame folder or a PNG strip")


def cached_frames(path, height, width, cache_dir, strip_frame_width=None):
    stat = Path(path).stat()
    key = hashlib.sha1(f"{Path(path).resolve()}|{stat.st_mtime_ns}|{stat.st_size}|{height}x{width}".encode()).hexdigest()[:16]
    cache = Path(cache_dir) / f"{Path(path).stem}-{key}.npy"
    if cache.exists():
        return np.load(cache)
    frames = read_frames(path, height, width, strip_frame_width)
    cache.parent.mkdir(parents=True, exist_ok=True)
    # per-process temp name: concurrent trainings may fill the same cache
    tmp = cache.with_suffix(f".{os.getpid()}.tmp.npy")
    np.save(tmp, frames)
    os.replace(tmp, cache)
    return frames


def load_split(split_file, root):
    """A split JSON lists clips relative to `root`: {"train": [...], "test": [...]}."""
    with open(split_file) as handle:
        split = json.load(handle)
    return {name: [Path(root) / rel for rel in clips] for name, clips in split.items() if isinstance(clips, list)}


def to_tensor(frame):
    return torch.from_numpy(np.ascontiguousarray(frame)).permute(2, 0, 1).float() / 255.0


def colour_jitter(frames, generator, brightness, contrast, saturation, hue):
    """Same random colour change on every frame of the pair: (N, 3, H, W) in [0, 1]."""

    def factor(amount):
        return 1 + (torch.rand((), generator=generator).item() * 2 - 1) * amount

    out = frames * factor(brightness)
    mean = out.mean(dim=(1, 2, 3), keepdim=True)
    out = (out - mean) * factor(contrast) + mean
    gray = (0.299 * out[:, 0:1] + 0.587 * out[:, 1:2] + 0.114 * out[:, 2:3])
    out = (out - gray) * factor(saturation) + gray
    angle = (torch.rand((), generator=generator).item() * 2 - 1) * hue * 2 * np.pi
    out = rotate_hue(out, angle)
    return out.clamp(0, 1)


def rotate_hue(frames, angle):
    """Rotate chroma in YIQ space by `angle` radians."""
    to_yiq = torch.tensor([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
    cos, sin = float(np.cos(angle)), float(np.sin(angle))
    rot = torch.tensor([[1, 0, 0], [0, cos, -sin], [0, sin, cos]], dtype=torch.float32)
    matrix = torch.linalg.inv(to_yiq) @ rot @ to_yiq
    return torch.einsum("ij,njhw->nihw", matrix, frames)


# dlib's 68-point layout: the regions whose reconstruction carries the expression.
MOUTH = slice(48, 68)
LEFT_EYE = slice(36, 42)
RIGHT_EYE = slice(42, 48)


def expression_weights(landmarks, height, width, strength):
    """A (1, H, W) weight map with mean 1: 1 + strength x (Gaussians on the mouth and the eyes).

    landmarks: (68, 2) in pixels, or None / NaN (no face: uniform weights). Each Gaussian's radius
    follows its region's size, so the weighting scales with the face.
    """
    weights = torch.ones(1, height, width)
    if landmarks is None or strength <= 0 or not np.isfinite(landmarks).all():
        return weights
    ys = torch.arange(height, dtype=torch.float32).view(height, 1)
    xs = torch.arange(width, dtype=torch.float32).view(1, width)
    for region, spread in ((MOUTH, 0.6), (LEFT_EYE, 0.8), (RIGHT_EYE, 0.8)):
        points = landmarks[region]
        cx, cy = points.mean(axis=0)
        radius = max(2.0, spread * float(np.ptp(points[:, 0])))
        weights[0] += strength * torch.exp(-((xs - float(cx)) ** 2 + (ys - float(cy)) ** 2) / (2 * radius**2))
    return weights / weights.mean()


def random_camera_motion(generator, scale=(1.0, 1.0), rotation=0.0, shift=0.0):
    """A random similarity as a (2, 3) sampling matrix in the [-1, 1] (x, y) frame (align_corners).

    The frame it makes shows the picture zoomed by a factor drawn log-uniformly from `scale`,
    turned by up to `rotation` degrees and moved by up to `shift` (a fraction of the half-width) each
    way: output position p samples the input at theta[:, :2] @ p + theta[:, 2].
    """
    def uniform(low, high):
        return low + (high - low) * torch.rand((), generator=generator).item()

    zoom = float(np.exp(uniform(np.log(scale[0]), np.log(scale[1]))))
    angle = np.deg2rad(uniform(-rotation, rotation))
    cos, sin = np.cos(angle) / zoom, np.sin(angle) / zoom
    return torch.tensor([[cos, -sin, uniform(-shift, shift)], [sin, cos, uniform(-shift, shift)]],
                        dtype=torch.float32)


def move_camera(frame, theta):
    """The (C, H, W) frame seen through theta (random_camera_motion) and a (1, H, W) map that is 1
    where the new frame shows the old one and 0 where it had to be filled in (by reflection)."""
    height, width = frame.shape[1:]
    grid = torch.nn.functional.affine_grid(theta[None], [1, 1, height, width], align_corners=True)
    moved = torch.nn.functional.grid_sample(frame[None], grid, padding_mode="reflection", align_corners=True)[0]
    inside = (grid.abs() <= 1 + 1e-6).all(dim=-1).to(frame.dtype)
    return moved, inside


def move_landmarks(landmarks, theta, height, width):
    """Pixel landmarks (P, 2) of a frame moved to where move_camera(frame, theta) shows them (the
    inverse of theta's sampling map); NaN (no face) stays NaN."""
    if landmarks is None:
        return None
    scale = np.array([2.0 / (width - 1), 2.0 / (height - 1)])
    points = landmarks * scale - 1
    matrix, offset = theta[:, :2].double().numpy(), theta[:, 2].double().numpy()
    moved = (points - offset) @ np.linalg.inv(matrix).T
    return ((moved + 1) / scale).astype(np.float32)


# Landmark anchors: places whose motion carries the expression, each the mean of some of dlib's 68
# points. A keypoint pulled onto each (losses.landmark_anchor_loss) makes the mouth and the lids
# move with their own keypoints instead of being carried along by the head's. `mirror` names the
# anchor that takes this one's place in a horizontally flipped frame (the subject's left becomes
# their right).
ANCHORS = (
    {"name": "upper inner lip", "points": (61, 62, 63), "mirror": 0},
    {"name": "lower inner lip", "points": (65, 66, 67), "mirror": 1},
    {"name": "mouth corner (image left)", "points": (48,), "mirror": 3},
    {"name": "mouth corner (image right)", "points": (54,), "mirror": 2},
    {"name": "upper lid (image left)", "points": (37, 38), "mirror": 5},
    {"name": "upper lid (image right)", "points": (43, 44), "mirror": 4},
    {"name": "lower lid (image left)", "points": (40, 41), "mirror": 7},
    {"name": "lower lid (image right)", "points": (46, 47), "mirror": 6},
)
# Anchor pairs whose distance is an opening, by part: the inner lips, and each eye's upper and
# lower lid (indices into ANCHORS, upper first; a mirrored frame swaps whole anchors, so the pairs
# still hold). The gap loss takes the pairs; tools/keypoint_mouth.py reports them by part.
OPENINGS = (("mouth", (0, 1)), ("eye (image left)", (4, 6)), ("eye (image right)", (5, 7)))
ANCHOR_GAPS = tuple(pair for _, pair in OPENINGS)


def anchor_targets(landmarks, height, width, mirrored=False):
    """(A, 2) anchor positions in the keypoints' [-1, 1] (x, y) frame and an (A,) validity mask.

    landmarks: (68, 2) pixels of an (height, width) frame, NaN where no face was found. The
    keypoint grid puts pixel centre 0 at -1 and W-1 at +1 (blocks.make_coordinate_grid). In a
    mirrored frame x becomes -x, and each anchor is read from its mirror partner's points.
    """
    count = len(ANCHORS)
    targets = torch.zeros(count, 2)
    valid = torch.zeros(count, dtype=torch.bool)
    if landmarks is None or not np.isfinite(landmarks).all():
        return targets, valid
    scale = np.array([2.0 / (width - 1), 2.0 / (height - 1)], dtype=np.float32)
    for index, anchor in enumerate(ANCHORS):
        source = ANCHORS[anchor["mirror"]] if mirrored else anchor
        point = landmarks[list(source["points"])].mean(axis=0) * scale - 1
        if mirrored:
            point[0] = -point[0]
        targets[index] = torch.from_numpy(point.astype(np.float32))
        valid[index] = True
    return targets, valid


class FramePairs(Dataset):
    """Pairs (source, driving) of distinct frames of one video, with shared augmentation.

    With `landmarks` (one (T, 68, 2) array per video) and `expression_weight` > 0, each item also
    holds `weights`: where the driving frame's reconstruction counts more (mouth and eyes); with
    `anchors`, `anchors_source` / `anchors_driving` (A, 2) and their `_valid` masks (ANCHORS).

    augmentation["camera_param"] = {probability, scale: [low, high], rotation (degrees), shift}
    moves the driving frame as a camera would (random_camera_motion), so pairs hold more head motion
    than the talking-head clips do: zoom, turn and move against the source. The landmarks move with
    it, and `weights` is 0 where the moved frame had to be filled in, so no loss asks the generator
    to paint what the camera never saw.
    """

    def __init__(self, videos, num_repeats=1, augmentation=None, seed=0, landmarks=None, expression_weight=0.0,
                 anchors=False):
        keep = [i for i, v in enumerate(videos) if len(v) >= 2]
        self.videos = [videos[i] for i in keep]
        self.landmarks = [landmarks[i] for i in keep] if landmarks is not None else None
        if not self.videos:
            raise ValueError("no training video has two frames or more")
        self.num_repeats = num_repeats
        self.augmentation = augmentation or {}
        self.expression_weight = expression_weight
        self.anchors = anchors and self.landmarks is not None
        self.seed = seed
        self.epoch = 0

    def __len__(self):
        return len(self.videos) * self.num_repeats

    def __getitem__(self, index):
        rng = torch.Generator().manual_seed(hash((self.seed, self.epoch, index)) & 0x7FFFFFFF)
        which = index % len(self.videos)
        video = self.videos[which]
        picks = torch.randperm(len(video), generator=rng)[:2].sort().values.tolist()
        pair = torch.stack([to_tensor(video[i]) for i in picks])
        flips = self.augmentation.get("flip_param", {})
        if flips.get("time_flip") and torch.rand((), generator=rng).item() < 0.5:
            pair = pair.flip(0)
            picks = picks[::-1]
        height, width = pair.shape[2:]
        marks = self.landmarks[which] if self.landmarks is not None else None
        marks = {"source": marks[picks[0]], "driving": marks[picks[1]]} if marks is not None else None
        seen = None
        camera = self.augmentation.get("camera_param")
        if camera:
            # Drawn for every item, so the other augmentations' draws do not depend on this one's.
            moves = torch.rand((), generator=rng).item() < camera.get("probability", 1.0)
            theta = random_camera_motion(rng, camera.get("scale", (1.0, 1.0)), camera.get("rotation", 0.0),
                                         camera.get("shift", 0.0))
            seen = torch.ones(1, height, width)
            if moves:
                driving, seen = move_camera(pair[1], theta)
                pair = torch.stack([pair[0], driving])
                if marks is not None:
                    marks["driving"] = move_landmarks(marks["driving"], theta, height, width)
        mirrored = flips.get("horizontal_flip") and torch.rand((), generator=rng).item() < 0.5
        if mirrored:
            pair = pair.flip(3)
        jitter = self.augmentation.get("jitter_param")
        if jitter:
            pair = colour_jitter(pair, rng, **jitter)
        item = {"source": pair[0], "driving": pair[1]}
        weights = None
        if marks is not None and self.expression_weight > 0:
            weights = expression_weights(marks["driving"], height, width, self.expression_weight)
        if seen is not None:
            weights = seen if weights is None else weights * seen
        if weights is not None:
            item["weights"] = weights.flip(2) if mirrored else weights
        if self.anchors:
            for key in ("source", "driving"):
                targets, valid = anchor_targets(marks[key], height, width, bool(mirrored))
                item[f"anchors_{key}"] = targets
                item[f"anchors_{key}_valid"] = valid
        return item
