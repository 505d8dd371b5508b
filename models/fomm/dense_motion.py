"""Dense motion network (paper Sec. 3.1, "Combining Local Motions", Eq. 4-7).

From the keypoints of S and D it builds K local affine motions T_{S<-D} (Eq. 4-5) plus the
identity for the background, warps the source with each, and lets an hourglass predict K+1
softmax masks that blend those motions into one dense backward flow (Eq. 7), and an occlusion map.
"""
import torch
import torch.nn.functional as F
from torch import nn

from .blocks import AntiAliasInterpolation2d, Hourglass, inverse_2x2, keypoint_gaussians, make_coordinate_grid, warp


def difference_heatmaps(kp_driving, kp_source, height, width, variance):
    """Eq. 6: H_k = G(kp_driving_k) - G(kp_source_k), with a zero map prepended for the background."""
    heatmap = keypoint_gaussians(kp_driving, height, width, variance) - keypoint_gaussians(
        kp_source, height, width, variance
    )
    zeros = torch.zeros_like(heatmap[:, :1])
    return torch.cat([zeros, heatmap], dim=1).unsqueeze(2)


def sparse_motions(kp_driving, jac_driving, kp_source, jac_source, height, width):
    """Eq. 4 at every pixel z, for every keypoint: T_S<-R(p_k) + J_k (z - T_D<-R(p_k)).

    Returns (B, K+1, H, W, 2); index 0 is the identity (background).
    """
    batch, num_kp, _ = kp_driving.shape
    grid = make_coordinate_grid(height, width, kp_driving.dtype, kp_driving.device).view(1, 1, height, width, 2)
    offset = grid - kp_driving.view(batch, num_kp, 1, 1, 2)
    jacobian = torch.matmul(jac_source, inverse_2x2(jac_driving))  # Eq. 5
    jacobian = jacobian.view(batch, num_kp, 1, 1, 2, 2)
    offset = torch.matmul(jacobian, offset.unsqueeze(-1)).squeeze(-1)
    driving_to_source = offset + kp_source.view(batch, num_kp, 1, 1, 2)
    identity = grid.expand(batch, 1, height, width, 2)
    return torch.cat([identity, driving_to_source], dim=1)


def deform_source_per_keypoint(source, motions, align_corners):
    """Warp the source with each of the K+1 motions: (B, K+1, C, H, W)."""
    batch, parts, height, width, _ = motions.shape
    channels = source.shape[1]
    repeated = source.unsqueeze(1).expand(batch, parts, channels, height, width).reshape(batch * parts, channels, height, width)
    deformed = warp(repeated, motions.reshape(batch * parts, height, width, 2), align_corners)
    return deformed.view(batch, parts, channels, height, width)


class DenseMotionNetwork(nn.Module):
    def __init__(
        self,
        block_expansion,
        num_blocks,
        max_features,
        num_kp,
        num_channels,
        estimate_occlusion_map=False,
        scale_factor=1,
        kp_variance=0.01,
        align_corners=True,
    ):
        super().__init__()
        self.hourglass = Hourglass(
            block_expansion=block_expansion,
            in_features=(num_kp + 1) * (num_channels + 1),
            max_features=max_features,
            num_blocks=num_blocks,
        )
        self.mask = nn.Conv2d(self.hourglass.out_filters, num_kp + 1, kernel_size=(7, 7), padding=(3, 3))
        if estimate_occlusion_map:
            self.occlusion = nn.Conv2d(self.hourglass.out_filters, 1, kernel_size=(7, 7), padding=(3, 3))
        else:
            self.occlusion = None
        self.num_kp = num_kp
        self.scale_factor = scale_factor
        self.kp_variance = kp_variance
        self.align_corners = align_corners
        if scale_factor != 1:
            self.down = AntiAliasInterpolation2d(num_channels, scale_factor)

    def forward(self, source_image, kp_driving, kp_source):
        if self.scale_factor != 1:
            source_image = self.down(source_image)
        batch, _, height, width = source_image.shape
        heatmaps = difference_heatmaps(kp_driving["value"], kp_source["value"], height, width, self.kp_variance)
        motions = sparse_motions(
            kp_driving["value"], kp_driving["jacobian"], kp_source["value"], kp_source["jacobian"], height, width
        )
        deformed = deform_source_per_keypoint(source_image, motions, self.align_corners)
        net_in = torch.cat([heatmaps, deformed], dim=2).view(batch, -1, height, width)
        features = self.hourglass(net_in)

        mask = F.softmax(self.mask(features), dim=1)
        deformation = (motions.permute(0, 1, 4, 2, 3) * mask.unsqueeze(2)).sum(dim=1)  # Eq. 7
        out = {
            "mask": mask,
            "sparse_deformed": deformed,
            "deformation": deformation.permute(0, 2, 3, 1),
        }
        if self.occlusion is not None:
            out["occlusion_map"] = torch.sigmoid(self.occlusion(features))
        return out
