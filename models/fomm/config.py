"""YAML configuration and model construction."""
import copy
from pathlib import Path

import yaml

from .discriminator import MultiScaleDiscriminator
from .generator import OcclusionAwareGenerator
from .keypoint_detector import KPDetector

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"


def load_config(path_or_name):
    """Load a YAML config by path, or by name from models/configs ("vox-256")."""
    path = Path(path_or_name)
    if not path.exists():
        path = CONFIG_DIR / f"{path_or_name}.yaml"
    if not path.exists():
        raise FileNotFoundError(f"no config at {path_or_name} and none named {path.name} in {CONFIG_DIR}")
    with open(path) as handle:
        config = yaml.safe_load(handle)
    config.setdefault("model_params", {}).setdefault("common_params", {}).setdefault("align_corners", True)
    return config


def build_models(config):
    """Return (kp_detector, generator, discriminator) for a config dict."""
    params = copy.deepcopy(config["model_params"])
    common = params["common_params"]
    align_corners = common.pop("align_corners", True)
    kp_detector = KPDetector(**params["kp_detector_params"], **common)
    generator = OcclusionAwareGenerator(**params["generator_params"], **common, align_corners=align_corners)
    discriminator = MultiScaleDiscriminator(**params.get("discriminator_params", {}), **common)
    return kp_detector, generator, discriminator


def frame_size(config):
    height, width = config["dataset_params"]["frame_shape"][:2]
    return int(height), int(width)
