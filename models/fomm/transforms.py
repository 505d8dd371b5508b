"""Random affine + thin-plate-spline warps for the equivariance losses (paper Sec. 3.3, Eq. 10-13).

`warp_points` maps coordinates of the warped image Y to the original X (T_{X<-Y}); `jacobian`
is its analytic derivative, which Eq. 12-13 need at the keypoints of Y.
"""
import torch
import torch.nn.functional as F

from .blocks import make_coordinate_grid


class RandomWarp:
    def __init__(self, batch_size, sigma_affine, sigma_tps, points_tps, generator=None, dtype=torch.float32):
        noise = torch.randn(batch_size, 2, 3, generator=generator, dtype=dtype) * sigma_affine
        self.theta = noise + torch.eye(2, 3, dtype=dtype).unsqueeze(0)
        self.control_points = make_coordinate_grid(points_tps, points_tps, dtype).view(1, -1, 2)
        self.control_params = torch.randn(batch_size, points_tps ** 2, 2, generator=generator, dtype=dtype) * sigma_tps

    def _to(self, ref):
        return (t.to(ref.device, ref.dtype) for t in (self.theta, self.control_points, self.control_params))

    def warp_points(self, points):
        """points: (B, N, 2) in Y -> (B, N, 2) in X."""
        theta, controls, params = self._to(points)
        out = torch.matmul(points, theta[:, :, :2].transpose(1, 2)) + theta[:, :, 2].unsqueeze(1)
        diff = points.unsqueeze(2) - controls.unsqueeze(1)  # (B, N, P, 2)
        sq = (diff ** 2).sum(-1)
        # TPS radial basis U(r) = r^2 log r = 0.5 r^2 log r^2; the clamp keeps r = 0 finite.
        basis = 0.5 * sq * torch.log(sq.clamp_min(1e-12))
        return out + torch.matmul(basis, params)

    def jacobian(self, points):
        """d warp_points / d points at each point: (B, N, 2, 2), rows = output coordinate."""
        theta, controls, params = self._to(points)
        diff = points.unsqueeze(2) - controls.unsqueeze(1)
        sq = (diff ** 2).sum(-1, keepdim=True)
        # d/dz [0.5 |z-c|^2 log |z-c|^2] = (log |z-c|^2 + 1) (z - c)
        grad_basis = (torch.log(sq.clamp_min(1e-12)) + 1) * diff  # (B, N, P, 2)
        tps = torch.einsum("bpo,bnpi->bnoi", params, grad_basis)
        return theta[:, :, :2].unsqueeze(1) + tps

    def warp_image(self, image):
        """Resample X so that Y(z) = X(T_{X<-Y}(z))."""
        batch, _, height, width = image.shape
        grid = make_coordinate_grid(height, width, image.dtype, image.device).view(1, -1, 2).expand(batch, -1, -1)
        grid = self.warp_points(grid).view(batch, height, width, 2)
        return F.grid_sample(image, grid, padding_mode="reflection", align_corners=True)
