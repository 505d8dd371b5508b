"""Multi-scale patch discriminator for the optional adversarial + feature-matching losses.

Layout matches the published `discriminator` state dicts (spectral norm, affine InstanceNorm).
"""
import torch
import torch.nn.functional as F
from torch import nn

from .blocks import keypoint_gaussians


class DiscriminatorDownBlock(nn.Module):
    def __init__(self, in_features, out_features, norm=False, kernel_size=4, pool=False, sn=False):
        super().__init__()
        self.conv = nn.Conv2d(in_features, out_features, kernel_size=kernel_size)
        if sn:
            self.conv = nn.utils.spectral_norm(self.conv)
        self.norm = nn.InstanceNorm2d(out_features, affine=True) if norm else None
        self.pool = pool

    def forward(self, x):
        out = self.conv(x)
        if self.norm is not None:
            out = self.norm(out)
        out = F.leaky_relu(out, 0.2)
        if self.pool:
            out = F.avg_pool2d(out, (2, 2))
        return out


class Discriminator(nn.Module):
    def __init__(
        self, num_channels=3, block_expansion=64, num_blocks=4, max_features=512, sn=False, use_kp=False,
        num_kp=10, kp_variance=0.01, **_unused,
    ):
        super().__init__()
        blocks = []
        for i in range(num_blocks):
            in_ch = num_channels + num_kp * use_kp if i == 0 else min(max_features, block_expansion * (2 ** i))
            out_ch = min(max_features, block_expansion * (2 ** (i + 1)))
            blocks.append(DiscriminatorDownBlock(in_ch, out_ch, norm=(i != 0), kernel_size=4, pool=(i != num_blocks - 1), sn=sn))
        self.down_blocks = nn.ModuleList(blocks)
        self.conv = nn.Conv2d(self.down_blocks[-1].conv.out_channels, 1, kernel_size=1)
        if sn:
            self.conv = nn.utils.spectral_norm(self.conv)
        self.use_kp = use_kp
        self.kp_variance = kp_variance

    def forward(self, x, kp_value=None):
        out = x
        if self.use_kp:
            out = torch.cat([out, keypoint_gaussians(kp_value, x.shape[2], x.shape[3], self.kp_variance)], dim=1)
        feature_maps = []
        for block in self.down_blocks:
            out = block(out)
            feature_maps.append(out)
        return feature_maps, self.conv(out)


class MultiScaleDiscriminator(nn.Module):
    def __init__(self, scales=(1,), **kwargs):
        super().__init__()
        self.scales = list(scales)
        self.discs = nn.ModuleDict({str(s).replace(".", "-"): Discriminator(**kwargs) for s in self.scales})

    def forward(self, pyramid, kp_value=None):
        """pyramid: dict scale-key -> image; returns dict key -> (feature_maps, prediction_map)."""
        return {key: disc(pyramid[f"prediction_{key}"], kp_value) for key, disc in self.discs.items()}
