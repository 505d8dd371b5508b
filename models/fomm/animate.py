"""Image animation at test time (paper Sec. 3.4): relative or absolute motion transfer.

This is the PyTorch reference the app's TypeScript engine is tested against.
"""
import numpy as np
import torch
from scipy.spatial import ConvexHull

from .blocks import inverse_2x2


def hull_area(points):
    try:
        return float(ConvexHull(np.asarray(points, dtype=np.float64)).volume)
    except Exception:  # degenerate (collinear or too few points)
        return 0.0


def movement_scale(kp_source, kp_driving_initial):
    source_area = hull_area(kp_source["value"][0].detach().cpu().numpy())
    driving_area = hull_area(kp_driving_initial["value"][0].detach().cpu().numpy())
    if source_area <= 0 or driving_area <= 0:
        return 1.0
    return float(np.sqrt(source_area) / np.sqrt(driving_area))


def transfer_keypoints(kp_source, kp_driving, kp_driving_initial, relative=True, adapt_scale=True, relative_jacobian=True):
    """value = (kp_d - kp_d0) * scale + kp_s; jacobian = (J_d J_d0^-1) J_s. Absolute: kp_d unchanged."""
    if not relative:
        return {"value": kp_driving["value"], "jacobian": kp_driving["jacobian"]}
    scale = movement_scale(kp_source, kp_driving_initial) if adapt_scale else 1.0
    value = (kp_driving["value"] - kp_driving_initial["value"]) * scale + kp_source["value"]
    jacobian = kp_driving["jacobian"]
    if relative_jacobian:
        change = torch.matmul(kp_driving["jacobian"], inverse_2x2(kp_driving_initial["jacobian"]))
        jacobian = torch.matmul(change, kp_source["jacobian"])
    return {"value": value, "jacobian": jacobian}


@torch.no_grad()
def animate(source, driving, kp_detector, generator, relative=True, adapt_scale=True, reference_frame=0):
    """source (1, 3, H, W) and driving (T, 3, H, W) in [0, 1] -> dict of per-frame tensors."""
    kp_detector.eval()
    generator.eval()
    kp_source = kp_detector(source)
    kp_driving_initial = kp_detector(driving[reference_frame : reference_frame + 1])
    predictions, occlusions, kps = [], [], []
    for t in range(driving.shape[0]):
        kp_driving = kp_detector(driving[t : t + 1])
        kp_norm = transfer_keypoints(kp_source, kp_driving, kp_driving_initial, relative, adapt_scale)
        out = generator(source, kp_driving=kp_norm, kp_source=kp_source)
        predictions.append(out["prediction"])
        if "occlusion_map" in out:
            occlusions.append(out["occlusion_map"])
        kps.append(kp_norm)
    return {
        "prediction": torch.cat(predictions),
        "occlusion_map": torch.cat(occlusions) if occlusions else None,
        "kp_source": kp_source,
        "kp_transferred": kps,
    }
