"""face-api's face networks in PyTorch, for differentiable losses that know what a face is.

`@vladmandic/face-api` (an npm dependency of the app) ships, with their weights, two landmark
regressors, `face_landmark_68_tiny_model` (three dense blocks of separable convolutions, 128
features) and `face_landmark_68_model` (four blocks, 256 features), which read a 112x112 RGB face
and give 68 (x, y) points relative to it, and `face_expression_model`: the same four-block feature
extractor trained to tell seven expressions apart (neutral, happy, sad, angry, fearful, disgusted,
surprised). This module rebuilds them from the package's weight manifests (uint8-quantized
tensors), frozen, for two losses:

- expression_landmark_loss: "does the generated frame's mouth open where the driving frame's
  does?", through the tiny landmark network's points;
- face_perceptual_loss: the paper's perceptual loss (Eq. 9) with the expression network's feature
  maps standing in for VGG-19's, whose pretrained weights cannot be had here; its features were
  learnt to separate open mouths from closed ones and raised brows from lowered ones.

Neither is a network the AED metric uses (it aligns faces with the full landmark network and
embeds them with the recognition network). `tests/test_face_landmark_net.py` checks the ports
against face-api itself (TensorFlow.js).
"""
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .losses import weighted_l1

INPUT_SIZE = 112
MEAN_RGB = (122.782, 117.001, 104.298)
MODEL_DIR = Path(__file__).resolve().parents[2] / "node_modules" / "@vladmandic" / "face-api" / "model"
MANIFESTS = {
    "tiny": "face_landmark_68_tiny_model-weights_manifest.json",
    "full": "face_landmark_68_model-weights_manifest.json",
    "expression": "face_expression_model-weights_manifest.json",
}
# Dense blocks and convolutions per block of each network's feature extractor.
SHAPES = {"tiny": (3, 3), "full": (4, 4), "expression": (4, 4)}
EXPRESSIONS = ("neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised")
# dlib / iBUG 68-point numbering: 36-47 the eyes, 48-67 the mouth.
EYES = tuple(range(36, 48))
MOUTH = tuple(range(48, 68))


def read_weights(manifest_path):
    """name -> float32 array, from a TensorFlow.js weights manifest and its shards (uint8 or float32)."""
    manifest_path = Path(manifest_path)
    out = {}
    for group in json.loads(manifest_path.read_text()):
        blob = b"".join((manifest_path.parent / p).read_bytes() for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            count = int(np.prod(spec["shape"]))
            quant = spec.get("quantization")
            if quant:
                if quant["dtype"] != "uint8":
                    raise ValueError(f"{spec['name']}: {quant['dtype']} quantization is not supported")
                raw = np.frombuffer(blob, dtype=np.uint8, count=count, offset=offset)
                value = raw.astype(np.float32) * np.float32(quant["scale"]) + np.float32(quant["min"])
                offset += count
            else:
                value = np.frombuffer(blob, dtype=np.float32, count=count, offset=offset).copy()
                offset += 4 * count
            out[spec["name"]] = value.reshape(spec["shape"])
        if offset != len(blob):
            raise ValueError(f"{manifest_path.name}: {len(blob) - offset} bytes left over after the listed weights")
    return out


def same_pad(x, kernel, stride):
    """TensorFlow's 'same' padding (the extra pixel goes after, not before)."""
    height, width = x.shape[-2:]

    def amount(size):
        total = max((-(-size // stride) - 1) * stride + kernel - size, 0)
        return total // 2, total - total // 2

    top, bottom = amount(height)
    left, right = amount(width)
    return F.pad(x, (left, right, top, bottom))


class SeparableConv(nn.Module):
    """Depthwise 3x3 (with the stride) then pointwise 1x1 plus bias: tf.separableConv2d."""

    def __init__(self, depthwise, pointwise, bias, stride):
        super().__init__()
        self.register_buffer("depthwise", torch.from_numpy(depthwise).permute(2, 3, 0, 1).contiguous())  # (C, 1, 3, 3)
        self.register_buffer("pointwise", torch.from_numpy(pointwise).permute(3, 2, 0, 1).contiguous())  # (O, C, 1, 1)
        self.register_buffer("bias", torch.from_numpy(bias))
        self.stride = stride

    def forward(self, x):
        x = F.conv2d(same_pad(x, 3, self.stride), self.depthwise, stride=self.stride, groups=x.shape[1])
        return F.conv2d(x, self.pointwise, self.bias)


class FullConv(nn.Module):
    """The first layer: a plain 3x3 convolution with stride 2."""

    def __init__(self, filters, bias):
        super().__init__()
        self.register_buffer("filters", torch.from_numpy(filters).permute(3, 2, 0, 1).contiguous())
        self.register_buffer("bias", torch.from_numpy(bias))

    def forward(self, x):
        return F.conv2d(same_pad(x, 3, 2), self.filters, self.bias, stride=2)


class DenseBlock(nn.Module):
    """conv0 halves the size; each later conv sees the ReLU of the sum of every output so far."""

    def __init__(self, weights, prefix, convs, first):
        super().__init__()
        layers = []
        for i in range(convs):
            name = f"{prefix}/conv{i}"
            if i == 0 and first:
                layers.append(FullConv(weights[f"{name}/filters"], weights[f"{name}/bias"]))
            else:
                layers.append(SeparableConv(
                    weights[f"{name}/depthwise_filter"], weights[f"{name}/pointwise_filter"], weights[f"{name}/bias"],
                    2 if i == 0 else 1,
                ))
        self.convs = nn.ModuleList(layers)

    def forward(self, x):
        total = F.relu(self.convs[0](x))
        out = total
        for conv in self.convs[1:]:
            total = total + conv(out)
            out = F.relu(total)
        return out


class FaceApiNet(nn.Module):
    """One of face-api's 112x112 face networks: dense blocks, a global average, one linear layer.

    (N, 3, H, W) RGB in [0, 1], a square face crop (resized to 112x112). Frozen: its buffers hold
    the weights, so it never trains, but gradients flow to the input.
    """

    def __init__(self, variant, model_dir=MODEL_DIR):
        super().__init__()
        weights = read_weights(Path(model_dir) / MANIFESTS[variant])
        blocks, convs = SHAPES[variant]
        self.blocks = nn.ModuleList(DenseBlock(weights, f"dense{i}", convs, i == 0) for i in range(blocks))
        self.pool = INPUT_SIZE >> blocks  # the last block's side: one average over it
        self.register_buffer("fc_weights", torch.from_numpy(weights["fc/weights"]))
        self.register_buffer("fc_bias", torch.from_numpy(weights["fc/bias"]))
        self.register_buffer("mean", torch.tensor(MEAN_RGB).view(1, 3, 1, 1) / 255)

    def features(self, image):
        """Each dense block's output: 56, 28, 14 (and 7) pixels square."""
        if image.shape[-2:] != (INPUT_SIZE, INPUT_SIZE):
            image = F.interpolate(image, size=(INPUT_SIZE, INPUT_SIZE), mode="bilinear", align_corners=False)
        x = image - self.mean
        out = []
        for block in self.blocks:
            x = block(x)
            out.append(x)
        return out

    def head(self, last):
        return F.avg_pool2d(last, self.pool).flatten(1) @ self.fc_weights + self.fc_bias

    def forward(self, image):
        return self.head(self.features(image)[-1])


class FaceLandmark68(FaceApiNet):
    """-> (N, 68, 2) points, x and y in [0, 1] of the crop."""

    def __init__(self, variant="tiny", model_dir=MODEL_DIR):
        if variant not in ("tiny", "full"):
            raise ValueError(f"{variant!r} is not a landmark network (tiny or full)")
        super().__init__(variant, model_dir)

    def forward(self, image):
        return super().forward(image).view(-1, 68, 2)


class FaceExpressionNet(FaceApiNet):
    """-> (N, 7) expression scores (logits, in EXPRESSIONS order); features() for the perceptual loss."""

    def __init__(self, model_dir=MODEL_DIR):
        super().__init__("expression", model_dir)


def expression_landmark_loss(net, generated, driving, mouth_weight=1.0, eye_weight=1.0):
    """Mean L1 between the landmark net's mouth and eye points on the generated and driving frames.

    The target is the same network's answer on the real frame, so its own biases cancel; the
    points are in units of the image side.
    """
    with torch.no_grad():
        target = net(driving)
    found = net(generated)
    diff = (found - target).abs().sum(-1)  # (N, 68)
    return mouth_weight * diff[:, list(MOUTH)].mean() + eye_weight * diff[:, list(EYES)].mean()


def face_perceptual_loss(net, generated, driving, weights, pixel_weights=None):
    """Eq. 9's perceptual term on a face network's feature maps: sum of weight * mean |F(gen) - F(drv)|.

    weights: one per dense block (0 skips it); pixel_weights (N, 1, H, W), optional, as for the
    pixel reconstruction (the mouth and eyes count more), resampled to each map.
    """
    with torch.no_grad():
        real = net.features(driving)
    fake = net.features(generated)
    total = generated.new_zeros(())
    for weight, f, r in zip(weights, fake, real):
        if weight:
            total = total + weight * weighted_l1(f, r, pixel_weights)
    return total
