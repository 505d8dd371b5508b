"""Equivariance (Eq. 11-13) on known warps, and the random TPS warp's analytic Jacobian."""
import torch

from fomm.losses import equivariance_jacobian_loss, equivariance_value_loss
from fomm.transforms import RandomWarp


def test_tps_jacobian_matches_autograd():
    warp = RandomWarp(3, sigma_affine=0.1, sigma_tps=0.05, points_tps=5)
    points = (torch.rand(3, 7, 2) * 2 - 1).requires_grad_(True)
    out = warp.warp_points(points)
    rows = [torch.autograd.grad(out[..., i].sum(), points, retain_graph=True)[0] for i in range(2)]
    numeric = torch.stack(rows, dim=-2)
    assert torch.allclose(warp.jacobian(points.detach()), numeric, atol=1e-5)


def pure_affine(batch, matrix, shift):
    warp = RandomWarp(batch, sigma_affine=0.0, sigma_tps=0.0, points_tps=5)
    warp.theta = torch.cat([matrix, shift.unsqueeze(-1)], dim=-1).expand(batch, 2, 3).clone()
    return warp


def test_equivariance_losses_vanish_for_consistent_keypoints():
    """If Y = X warped by A (T_X<-Y(z) = A z + b), keypoints and Jacobians of Y that satisfy
    Eq. 11-12 exactly must give zero loss, and perturbed ones must not."""
    matrix = torch.tensor([[0.9, 0.2], [-0.1, 1.1]])
    shift = torch.tensor([0.05, -0.03])
    warp = pure_affine(2, matrix, shift)
    kp_y = torch.rand(2, 5, 2) * 1.4 - 0.7
    jac_y = torch.eye(2) + 0.1 * torch.randn(2, 5, 2, 2)
    kp_x = {"value": warp.warp_points(kp_y), "jacobian": torch.matmul(matrix, jac_y)}
    kp_warped = {"value": kp_y, "jacobian": jac_y}
    assert equivariance_value_loss(kp_x, kp_warped, warp) < 1e-6
    assert equivariance_jacobian_loss(kp_x, kp_warped, warp) < 1e-5
    kp_bad = {"value": kp_x["value"] + 0.1, "jacobian": kp_x["jacobian"] * 1.2}
    assert equivariance_value_loss(kp_bad, kp_warped, warp) > 0.05
    assert equivariance_jacobian_loss(kp_bad, kp_warped, warp) > 0.05


def test_warp_image_moves_content_as_the_points_say():
    """A bright pixel at z in Y must come from T_X<-Y(z) in X."""
    warp = pure_affine(1, torch.eye(2), torch.tensor([0.25, 0.0]))
    image = torch.zeros(1, 1, 33, 33)
    image[0, 0, 16, 20] = 1.0  # x index 20 -> coordinate 0.25
    warped = warp.warp_image(image)
    assert warped[0, 0].argmax().item() == 16 * 33 + 16  # now at the centre (x = 0)
