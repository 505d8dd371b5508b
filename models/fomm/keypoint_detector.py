"""Keypoint detector (paper Sec. 3.1): keypoints and their local affine Jacobians.

An hourglass predicts K heatmaps; a softmax with temperature turns each into a confidence map,
the keypoint is the map's expected coordinate, and four extra channels per keypoint, averaged
with the same map as weights, give the 2x2 Jacobian d/dp T_{X<-R}(p) at that keypoint.
"""
import torch
import torch.nn.functional as F
from torch import nn

from .blocks import AntiAliasInterpolation2d, Hourglass, make_coordinate_grid


def heatmap_to_keypoints(heatmap):
    """Expected (x, y) of each normalised heatmap: (B, K, H, W) -> (B, K, 2)."""
    _, _, height, width = heatmap.shape
    grid = make_coordinate_grid(height, width, heatmap.dtype, heatmap.device).view(1, 1, height, width, 2)
    return (heatmap.unsqueeze(-1) * grid).sum(dim=(2, 3))


class KPDetector(nn.Module):
    def __init__(
        self,
        block_expansion,
        num_kp,
        num_channels,
        max_features,
        num_blocks,
        temperature,
        estimate_jacobian=True,
        scale_factor=1,
        single_jacobian_map=False,
        pad=0,
    ):
        super().__init__()
        self.predictor = Hourglass(block_expansion, num_channels, num_blocks, max_features)
        self.kp = nn.Conv2d(self.predictor.out_filters, num_kp, kernel_size=(7, 7), padding=pad)
        self.num_kp = num_kp
        self.temperature = temperature
        self.scale_factor = scale_factor
        self.estimate_jacobian = estimate_jacobian
        if estimate_jacobian:
            self.num_jacobian_maps = 1 if single_jacobian_map else num_kp
            self.jacobian = nn.Conv2d(
                self.predictor.out_filters, 4 * self.num_jacobian_maps, kernel_size=(7, 7), padding=pad
            )
            # Start from identity Jacobians so early training behaves like the zeroth-order model.
            self.jacobian.weight.data.zero_()
            self.jacobian.bias.data.copy_(torch.tensor([1, 0, 0, 1] * self.num_jacobian_maps, dtype=torch.float))
        else:
            self.jacobian = None
        if scale_factor != 1:
            self.down = AntiAliasInterpolation2d(num_channels, scale_factor)

    def forward(self, image):
        x = self.down(image) if self.scale_factor != 1 else image
        features = self.predictor(x)
        logits = self.kp(features)
        batch, num_kp, height, width = logits.shape
        heatmap = F.softmax(logits.view(batch, num_kp, -1) / self.temperature, dim=2).view(batch, num_kp, height, width)
        out = {"value": heatmap_to_keypoints(heatmap), "heatmap": heatmap}
        if self.jacobian is not None:
            jac_map = self.jacobian(features).view(batch, self.num_jacobian_maps, 4, height, width)
            jac = (heatmap.unsqueeze(2) * jac_map).view(batch, num_kp, 4, -1).sum(dim=-1)
            out["jacobian"] = jac.view(batch, num_kp, 2, 2)
        else:
            eye = torch.eye(2, dtype=image.dtype, device=image.device)
            out["jacobian"] = eye.expand(batch, num_kp, 2, 2)
        return out
