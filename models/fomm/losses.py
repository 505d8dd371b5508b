"""Training losses (paper Sec. 3.3): pyramid reconstruction, equivariance, optional GAN.

The paper's reconstruction loss is a VGG-19 perceptual loss. No pretrained VGG weights can be
downloaded here, so it is used only when a local weights file is given; otherwise the same
multi-scale pyramid is applied to pixels (L1), and training logs say so.
"""
import logging

import torch
import torch.nn.functional as F
from torch import nn

from .blocks import AntiAliasInterpolation2d, inverse_2x2

log = logging.getLogger(__name__)


class ImagePyramid(nn.Module):
    """Anti-aliased copies of an image at each scale, keyed 'prediction_<scale>'."""

    def __init__(self, scales, num_channels):
        super().__init__()
        self.downs = nn.ModuleDict(
            {str(s).replace(".", "-"): AntiAliasInterpolation2d(num_channels, s) for s in scales}
        )

    def forward(self, image):
        return {f"prediction_{key}": down(image) for key, down in self.downs.items()}


class Vgg19Features(nn.Module):
    """relu1_1 .. relu5_1 of VGG-19, with ImageNet normalisation, from a local torchvision weights file."""

    SLICES = (2, 7, 12, 21, 30)

    def __init__(self, weights_path):
        super().__init__()
        from torchvision.models import vgg19

        net = vgg19()
        net.load_state_dict(torch.load(weights_path, map_location="cpu"))
        layers = list(net.features.children())
        bounds = (0,) + self.SLICES
        self.slices = nn.ModuleList(nn.Sequential(*layers[a:b]) for a, b in zip(bounds[:-1], bounds[1:]))
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))
        for p in self.parameters():
            p.requires_grad = False

    def forward(self, x):
        out = (x - self.mean) / self.std
        feats = []
        for block in self.slices:
            out = block(out)
            feats.append(out)
        return feats


def weighted_l1(fake, real, pixel_weights=None):
    """Mean |fake - real|; with (N, 1, h, w) pixel weights (mean 1), resampled to the maps' size."""
    diff = (fake - real.detach()).abs()
    if pixel_weights is None:
        return diff.mean()
    if pixel_weights.shape[-2:] != diff.shape[-2:]:
        pixel_weights = F.interpolate(pixel_weights, size=diff.shape[-2:], mode="area")
    return (diff * pixel_weights).mean()


def pyramid_reconstruction_loss(pyr_generated, pyr_real, weights, vgg=None, pixel_weights=None):
    """Eq. 9 summed over scales: perceptual L1 with VGG, else pixel L1 per scale.

    pixel_weights (N, 1, H, W), optional: how much each place of the driving frame counts (the
    mouth and eyes more, see data.expression_weights); applied at every scale and VGG layer.
    """
    total = 0.0
    for key in pyr_real:
        fake, real = pyr_generated[key], pyr_real[key]
        if vgg is not None:
            for weight, f, r in zip(weights, vgg(fake), vgg(real)):
                total = total + weight * weighted_l1(f, r, pixel_weights)
        else:
            total = total + weights[0] * weighted_l1(fake, real, pixel_weights)
    return total


def equivariance_value_loss(kp_driving, kp_warped, random_warp):
    """Eq. 11: T_X<-R(p_k) = T_X<-Y(T_Y<-R(p_k)), L1."""
    return (kp_driving["value"] - random_warp.warp_points(kp_warped["value"])).abs().mean()


def equivariance_jacobian_loss(kp_driving, kp_warped, random_warp):
    """Eq. 13: I = J_X^-1 (dT_X<-Y at T_Y<-R(p_k)) J_Y, L1."""
    chained = torch.matmul(random_warp.jacobian(kp_warped["value"]), kp_warped["jacobian"])
    product = torch.matmul(inverse_2x2(kp_driving["jacobian"]), chained)
    eye = torch.eye(2, dtype=product.dtype, device=product.device)
    return (eye - product).abs().mean()


def landmark_anchor_loss(kp_value, targets, valid, keypoints):
    """Mean L1 distance of the anchored keypoints (kp_value[:, keypoints]) to their landmark targets.

    kp_value (N, K, 2); targets (N, A, 2); valid (N, A) bool; keypoints: A keypoint indices. Anchors
    without a face (valid False) do not count; with none valid the loss is 0.
    """
    chosen = kp_value[:, list(keypoints)]
    return masked_mean_l1(chosen, targets, valid)


def masked_mean_l1(found, wanted, valid):
    """Mean |found - wanted| over the (N, P, 2) points whose (N, P) valid is True; 0 (still
    differentiable) where none is."""
    mask = valid.to(found.dtype).unsqueeze(-1)
    count = mask.sum() * 2
    if float(count) == 0:
        return found.sum() * 0
    return ((found - wanted).abs() * mask).sum() / count


def pair_gaps(points, valid, gaps):
    """(N, G, 2): points[b] - points[a] for each (a, b) of gaps (indices into the anchors), and
    (N, G): whether both anchors of the pair count (valid (N, A))."""
    first = [a for a, _ in gaps]
    second = [b for _, b in gaps]
    return points[:, second] - points[:, first], valid[:, first] & valid[:, second]


def landmark_gap_loss(kp_value, targets, valid, keypoints, gaps):
    """Mean L1 between the openings the anchored keypoints make and the landmarks' openings.

    For each (a, b) of gaps (indices into the anchors): kp[keypoints[b]] - kp[keypoints[a]]
    against targets[b] - targets[a], both coordinates. Unlike landmark_anchor_loss this does not
    care where the pair sits, only how far apart: the lips' and lids' keypoints must open as far as
    the mouth and the eyes do (an absolute position that is unsure pulls each keypoint to the
    middle, and the opening shrinks). A pair counts where both anchors have a face.
    """
    found, _ = pair_gaps(kp_value[:, list(keypoints)], valid, gaps)
    wanted, both = pair_gaps(targets, valid, gaps)
    return masked_mean_l1(found, wanted, both)


def anchor_mask_shares(mask, targets, keypoints):
    """(N, A): each anchor's own keypoint's share of the masks (N, K+1, h, w) in the 3x3 cells
    around the anchor (targets (N, A, 2), [-1, 1] (x, y)); channel k+1 is keypoint k."""
    patches = F.avg_pool2d(mask, 3, stride=1, padding=1, count_include_pad=False)
    sampled = F.grid_sample(patches, targets.unsqueeze(2).to(mask.dtype), align_corners=True)[..., 0]  # (N, K+1, A)
    index = torch.as_tensor([k + 1 for k in keypoints], device=mask.device)
    return sampled.gather(1, index.view(1, 1, -1).expand(mask.shape[0], 1, -1))[:, 0]


def anchor_mask_loss(mask, targets, valid, keypoints):
    """How far the dense motion's masks (Eq. 7) are from giving each landmark anchor of the driving
    frame its own keypoint's transformation: mean -log of that keypoint's mask share there.

    mask (N, K+1, h, w), channel 0 the background's (identity) and k+1 keypoint k's, on the driving
    frame's grid; targets (N, A, 2) the anchors in the keypoints' [-1, 1] (x, y) frame; valid (N, A);
    keypoints: A keypoint indices. The share is read from the 3x3 mean of the mask around each
    anchor (anchor_mask_shares), so a keypoint must hold a small patch there, not a single cell.
    Without this the lips' and lids' keypoints can open as far as the lips while the mask hands the
    whole mouth to another keypoint (e.g. a mouth corner's), whose transformation cannot open it.
    """
    share = anchor_mask_shares(mask, targets, keypoints)
    counted = valid.to(share.dtype)
    if float(counted.sum()) == 0:
        return share.sum() * 0
    # No clamp near the shares that matter: a keypoint the masks have never used holds ~1e-8 of a
    # place, and -log must still pull it up (d/dlogit = share - 1); only an exact 0 is kept finite.
    return (-torch.log(share.clamp_min(1e-30)) * counted).sum() / counted.sum()


def landmark_flow_loss(deformation, targets_driving, targets_source, valid):
    """Mean L1 between where the motion field sends each landmark anchor of the driving frame and
    where that anchor is on the source.

    deformation (N, h, w, 2): for each cell of the driving frame, the source position it samples
    ((x, y) in [-1, 1], the dense motion network's output, Eq. 7); targets_driving, targets_source
    (N, A, 2) the anchors of both frames in that frame; valid (N, A): the anchor is on both faces.
    The keypoints' losses say where the lips and lids are and how far they open; this one says the
    warp itself must carry the source's lips and lids to the driver's places, so a mouth the
    driver opens is opened by the motion, not left for the generator to half-paint.
    """
    return masked_mean_l1(warped_anchors(deformation, targets_driving), targets_source, valid)


def landmark_flow_gap_loss(deformation, targets_driving, targets_source, valid, gaps):
    """Mean L1 between the openings the motion field carries and the source's openings.

    For each (a, b) of gaps: the source places the field samples for the driving frame's anchors
    b and a, their difference, against the same pair's difference on the source. What
    landmark_flow_loss is to landmark_anchor_loss, this is to landmark_gap_loss: the mean over
    every anchor's place can fall while the lips' two anchors keep moving together, and the warp
    then leaves the photo's mouth as open as it was; this term asks for the opening itself.
    """
    found, both = pair_gaps(warped_anchors(deformation, targets_driving), valid, gaps)
    wanted, _ = pair_gaps(targets_source, valid, gaps)
    return masked_mean_l1(found, wanted, both)


def warped_anchors(deformation, targets):
    """(N, A, 2): the source positions the motion field (N, h, w, 2) samples at points (N, A, 2) of
    the driving frame, all in the [-1, 1] (x, y) frame (bilinear between cells)."""
    field = deformation.permute(0, 3, 1, 2)
    sampled = F.grid_sample(field, targets.unsqueeze(2).to(field.dtype), align_corners=True)[..., 0]  # (N, 2, A)
    return sampled.permute(0, 2, 1)


def generator_gan_loss(disc_fake):
    return sum(((1 - pred) ** 2).mean() for _, pred in disc_fake.values())


def feature_matching_loss(disc_fake, disc_real, weights):
    total = 0.0
    for key, (fake_maps, _) in disc_fake.items():
        real_maps = disc_real[key][0]
        for weight, f, r in zip(weights, fake_maps, real_maps):
            if weight:
                total = total + weight * (f - r.detach()).abs().mean()
    return total


def discriminator_gan_loss(disc_fake, disc_real):
    return sum(((1 - disc_real[k][1]) ** 2 + disc_fake[k][1] ** 2).mean() for k in disc_real)


def load_perceptual(weights_path):
    if not weights_path:
        log.warning(
            "no VGG-19 weights file given: using a pixel L1 pyramid reconstruction loss instead of the "
            "paper's perceptual loss (pretrained weights cannot be downloaded on this machine)"
        )
        return None
    log.info("perceptual loss: VGG-19 from %s", weights_path)
    return Vgg19Features(weights_path)


__all__ = [
    "ImagePyramid",
    "weighted_l1",
    "pyramid_reconstruction_loss",
    "equivariance_value_loss",
    "equivariance_jacobian_loss",
    "landmark_anchor_loss",
    "generator_gan_loss",
    "feature_matching_loss",
    "discriminator_gan_loss",
    "load_perceptual",
]
