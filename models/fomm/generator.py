"""Occlusion-aware generator (paper Sec. 3.2, Eq. 8).

The source is encoded to a feature map xi, xi is back-warped with the dense motion, multiplied
by the occlusion map, and decoded. `encode_source` and `decode` are split so that the app can
compute the source encoding once per job and run only `decode` per driving frame.

`warp_skips` (not in the paper; off for every published checkpoint) also warps the encoder's
finer feature maps (full resolution and every level above the bottleneck) with the same motion and
occlusion, and adds each, through a 1x1 convolution, to the decoder's output at its resolution, so
detail the 32x32 bottleneck cannot hold (lips, lids, teeth, hair) comes from the photo itself. The
finer maps are computed from the source inside the generator graph (once per batch: the graph
takes one source for all its frames), so the app's graphs keep their inputs.
The convolutions start at zero, so weights trained without skips give the same pictures at first.
"""
import torch
import torch.nn.functional as F
from torch import nn

from .blocks import DownBlock2d, ResBlock2d, SameBlock2d, UpBlock2d, warp
from .dense_motion import DenseMotionNetwork


def resize_flow(deformation, height, width):
    """Bilinearly resize a (B, h, w, 2) flow to (B, H, W, 2); values are resolution-free."""
    if deformation.shape[1] == height and deformation.shape[2] == width:
        return deformation
    flow = F.interpolate(deformation.permute(0, 3, 1, 2), size=(height, width), mode="bilinear", align_corners=False)
    return flow.permute(0, 2, 3, 1)


class OcclusionAwareGenerator(nn.Module):
    def __init__(
        self,
        num_channels,
        num_kp,
        block_expansion,
        max_features,
        num_down_blocks,
        num_bottleneck_blocks,
        estimate_occlusion_map=False,
        dense_motion_params=None,
        estimate_jacobian=False,
        align_corners=True,
        warp_skips=False,
    ):
        super().__init__()
        del estimate_jacobian  # accepted for config compatibility; the Jacobian lives in the keypoints
        self.align_corners = align_corners
        self.dense_motion_network = DenseMotionNetwork(
            num_kp=num_kp,
            num_channels=num_channels,
            estimate_occlusion_map=estimate_occlusion_map,
            align_corners=align_corners,
            **(dense_motion_params or {}),
        )
        self.first = SameBlock2d(num_channels, block_expansion, kernel_size=(7, 7), padding=(3, 3))
        width = lambda level: min(max_features, block_expansion * (2 ** level))  # noqa: E731
        self.down_blocks = nn.ModuleList(
            [DownBlock2d(width(i), width(i + 1), kernel_size=(3, 3), padding=(1, 1)) for i in range(num_down_blocks)]
        )
        self.up_blocks = nn.ModuleList(
            [
                UpBlock2d(width(num_down_blocks - i), width(num_down_blocks - i - 1), kernel_size=(3, 3), padding=(1, 1))
                for i in range(num_down_blocks)
            ]
        )
        self.bottleneck = nn.Sequential()
        for i in range(num_bottleneck_blocks):
            self.bottleneck.add_module(f"r{i}", ResBlock2d(width(num_down_blocks), kernel_size=(3, 3), padding=(1, 1)))
        self.final = nn.Conv2d(block_expansion, num_channels, kernel_size=(7, 7), padding=(3, 3))
        self.num_channels = num_channels
        self.skip_fusions = None
        if warp_skips:
            # one per up block, at its output's width; zero so that the decoder starts as without skips
            self.skip_fusions = nn.ModuleList(
                [nn.Conv2d(width(num_down_blocks - i - 1), width(num_down_blocks - i - 1), kernel_size=1) for i in range(num_down_blocks)]
            )
            for fusion in self.skip_fusions:
                nn.init.zeros_(fusion.weight)
                nn.init.zeros_(fusion.bias)

    # Parameters that weights saved before they existed lack; fomm.checkpoint.load_weights sets them
    # to zero, which is what those weights meant.
    zero_start_prefixes = ("skip_fusions.",)

    def encoder_levels(self, source_image, depth):
        """The encoder's feature maps from full resolution down through `depth` down blocks."""
        levels = [self.first(source_image)]
        for block in self.down_blocks[:depth]:
            levels.append(block(levels[-1]))
        return levels

    def encode_source(self, source_image):
        return self.encoder_levels(source_image, len(self.down_blocks))[-1]

    def skip_features(self, source_image):
        """The finer maps the warped skips take (full resolution first), or None without skips."""
        if self.skip_fusions is None:
            return None
        return self.encoder_levels(source_image, len(self.down_blocks) - 1)

    def warp_occluded(self, features, motion):
        """Eq. 8 at the features' resolution: back-warped, then multiplied by the occlusion map."""
        _, _, height, width = features.shape
        out = warp(features, resize_flow(motion["deformation"], height, width), self.align_corners)
        occlusion_map = motion.get("occlusion_map")
        if occlusion_map is not None:
            if occlusion_map.shape[2:] != out.shape[2:]:
                occlusion_map = F.interpolate(occlusion_map, size=out.shape[2:], mode="bilinear", align_corners=False)
            out = out * occlusion_map
        return out

    def decode(self, source_image, source_features, kp_driving, kp_source, skips=None):
        """skips: skip_features(source_image), where the caller has them already."""
        motion = self.dense_motion_network(source_image, kp_driving=kp_driving, kp_source=kp_source)
        out = self.bottleneck(self.warp_occluded(source_features, motion))
        if skips is None:
            skips = self.skip_features(source_image)
        for i, block in enumerate(self.up_blocks):
            out = block(out)
            if skips is not None:
                out = out + self.skip_fusions[i](self.warp_occluded(skips[-1 - i], motion))
        prediction = torch.sigmoid(self.final(out))
        result = dict(motion)
        result["prediction"] = prediction
        return result

    def forward(self, source_image, kp_driving, kp_source):
        levels = self.encoder_levels(source_image, len(self.down_blocks))
        skips = levels[:-1] if self.skip_fusions is not None else None
        result = self.decode(source_image, levels[-1], kp_driving, kp_source, skips)
        full_res_flow = resize_flow(result["deformation"], source_image.shape[2], source_image.shape[3])
        result["deformed"] = warp(source_image, full_res_flow, self.align_corners)
        return result
