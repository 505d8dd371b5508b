"""Building blocks shared by the networks: conv blocks, the hourglass, coordinate grids.

Module and parameter names mirror the published checkpoints so that their state dicts load
with strict key and shape matching (see shared/reference/fomm-checkpoints.md).
"""
import torch
import torch.nn.functional as F
from torch import nn


def make_coordinate_grid(height, width, dtype=torch.float32, device=None):
    """Grid of (x, y) pixel-centre coordinates in [-1, 1], shape (H, W, 2), x first."""
    xs = torch.arange(width, dtype=dtype, device=device)
    ys = torch.arange(height, dtype=dtype, device=device)
    xs = 2 * (xs / (width - 1)) - 1
    ys = 2 * (ys / (height - 1)) - 1
    grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([grid_x, grid_y], dim=-1)


def keypoint_gaussians(kp_value, height, width, variance):
    """Isotropic Gaussian around every keypoint: (B, K, 2) -> (B, K, H, W).

    The paper writes exp(-|p - z|^2 / sigma); the published weights were trained with the
    authors' exp(-0.5 |p - z|^2 / sigma), which we keep so that their checkpoints behave the same.
    """
    grid = make_coordinate_grid(height, width, kp_value.dtype, kp_value.device)
    grid = grid.view(1, 1, height, width, 2)
    mean = kp_value.view(kp_value.shape[0], kp_value.shape[1], 1, 1, 2)
    sq_dist = ((grid - mean) ** 2).sum(-1)
    return torch.exp(-0.5 * sq_dist / variance)


def inverse_2x2(matrix):
    """Closed-form inverse of (..., 2, 2) matrices; ONNX has no general inverse operator."""
    a = matrix[..., 0, 0]
    b = matrix[..., 0, 1]
    c = matrix[..., 1, 0]
    d = matrix[..., 1, 1]
    det = a * d - b * c
    row0 = torch.stack([d, -b], dim=-1)
    row1 = torch.stack([-c, a], dim=-1)
    return torch.stack([row0, row1], dim=-2) / det.unsqueeze(-1).unsqueeze(-1)


def warp(image, grid, align_corners):
    """Backward warp: sample `image` at the (x, y) locations of `grid` (B, H, W, 2)."""
    return F.grid_sample(image, grid, mode="bilinear", padding_mode="zeros", align_corners=align_corners)


class ResBlock2d(nn.Module):
    """Pre-activation residual block that keeps resolution."""

    def __init__(self, in_features, kernel_size=3, padding=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_features, in_features, kernel_size, padding=padding)
        self.conv2 = nn.Conv2d(in_features, in_features, kernel_size, padding=padding)
        self.norm1 = nn.BatchNorm2d(in_features, affine=True)
        self.norm2 = nn.BatchNorm2d(in_features, affine=True)

    def forward(self, x):
        out = self.conv1(F.relu(self.norm1(x)))
        out = self.conv2(F.relu(self.norm2(out)))
        return out + x


class UpBlock2d(nn.Module):
    """Nearest x2 upsampling, conv, BatchNorm, ReLU."""

    def __init__(self, in_features, out_features, kernel_size=3, padding=1):
        super().__init__()
        self.conv = nn.Conv2d(in_features, out_features, kernel_size, padding=padding)
        self.norm = nn.BatchNorm2d(out_features, affine=True)

    def forward(self, x):
        out = F.interpolate(x, scale_factor=2.0, mode="nearest")
        return F.relu(self.norm(self.conv(out)))


class DownBlock2d(nn.Module):
    """Conv, BatchNorm, ReLU, 2x2 average pooling."""

    def __init__(self, in_features, out_features, kernel_size=3, padding=1):
        super().__init__()
        self.conv = nn.Conv2d(in_features, out_features, kernel_size, padding=padding)
        self.norm = nn.BatchNorm2d(out_features, affine=True)
        self.pool = nn.AvgPool2d(kernel_size=(2, 2))

    def forward(self, x):
        return self.pool(F.relu(self.norm(self.conv(x))))


class SameBlock2d(nn.Module):
    """Conv, BatchNorm, ReLU at constant resolution."""

    def __init__(self, in_features, out_features, kernel_size=3, padding=1):
        super().__init__()
        self.conv = nn.Conv2d(in_features, out_features, kernel_size, padding=padding)
        self.norm = nn.BatchNorm2d(out_features, affine=True)

    def forward(self, x):
        return F.relu(self.norm(self.conv(x)))


def _width(block_expansion, max_features, level):
    return min(max_features, block_expansion * (2 ** level))


class HourglassEncoder(nn.Module):
    def __init__(self, block_expansion, in_features, num_blocks, max_features):
        super().__init__()
        blocks = []
        for i in range(num_blocks):
            in_ch = in_features if i == 0 else _width(block_expansion, max_features, i)
            blocks.append(DownBlock2d(in_ch, _width(block_expansion, max_features, i + 1)))
        self.down_blocks = nn.ModuleList(blocks)

    def forward(self, x):
        outs = [x]
        for block in self.down_blocks:
            outs.append(block(outs[-1]))
        return outs


class HourglassDecoder(nn.Module):
    def __init__(self, block_expansion, in_features, num_blocks, max_features):
        super().__init__()
        blocks = []
        for i in reversed(range(num_blocks)):
            multiplier = 1 if i == num_blocks - 1 else 2  # skips are concatenated below the top
            in_ch = multiplier * _width(block_expansion, max_features, i + 1)
            blocks.append(UpBlock2d(in_ch, _width(block_expansion, max_features, i)))
        self.up_blocks = nn.ModuleList(blocks)
        self.out_filters = block_expansion + in_features

    def forward(self, encoder_outputs):
        skips = list(encoder_outputs)
        out = skips.pop()
        for block in self.up_blocks:
            out = block(out)
            out = torch.cat([out, skips.pop()], dim=1)
        return out


class Hourglass(nn.Module):
    """U-Net whose output is the last decoder features concatenated with the input."""

    def __init__(self, block_expansion, in_features, num_blocks=3, max_features=256):
        super().__init__()
        self.encoder = HourglassEncoder(block_expansion, in_features, num_blocks, max_features)
        self.decoder = HourglassDecoder(block_expansion, in_features, num_blocks, max_features)
        self.out_filters = self.decoder.out_filters

    def forward(self, x):
        return self.decoder(self.encoder(x))


class AntiAliasInterpolation2d(nn.Module):
    """Gaussian blur then keep every (1/scale)-th pixel: downsampling without aliasing."""

    def __init__(self, channels, scale):
        super().__init__()
        inv_scale = 1.0 / scale
        if abs(inv_scale - round(inv_scale)) > 1e-6:
            raise ValueError(f"scale {scale} must be 1/n for an integer n")
        sigma = (inv_scale - 1) / 2
        kernel_size = 2 * round(sigma * 4) + 1
        self.pad_before = kernel_size // 2
        self.pad_after = self.pad_before - 1 if kernel_size % 2 == 0 else self.pad_before
        coords = torch.arange(kernel_size, dtype=torch.float32) - (kernel_size - 1) / 2
        gauss_1d = torch.exp(-(coords ** 2) / (2 * sigma ** 2)) if sigma > 0 else (coords == 0).float()
        kernel = gauss_1d[:, None] * gauss_1d[None, :]
        kernel = kernel / kernel.sum()
        self.register_buffer("weight", kernel.view(1, 1, kernel_size, kernel_size).repeat(channels, 1, 1, 1))
        self.groups = channels
        self.step = int(round(inv_scale))

    def forward(self, x):
        if self.step == 1:
            return x
        pads = (self.pad_before, self.pad_after, self.pad_before, self.pad_after)
        out = F.conv2d(F.pad(x, pads), self.weight, groups=self.groups)
        return out[:, :, :: self.step, :: self.step]


def count_parameters(module):
    return sum(p.numel() for p in module.parameters())


__all__ = [
    "make_coordinate_grid",
    "keypoint_gaussians",
    "inverse_2x2",
    "warp",
    "ResBlock2d",
    "UpBlock2d",
    "DownBlock2d",
    "SameBlock2d",
    "Hourglass",
    "AntiAliasInterpolation2d",
    "count_parameters",
]
