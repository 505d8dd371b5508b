"""YAML configuration and model construction."""
import copy
from pathlib import Path

import yaml

from .discriminator import MultiScaleDiscriminator
from .generator import OcclusionAwareGenerator
from .keypoint_detector import KPDetector

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"


def merge(base, override):
    """`override` laid over `base`: nested mappings merge key by key, anything else replaces."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else copy.deepcopy(value)
    return out


def load_config(path_or_name, _seen=()):
    """Load a YAML config by path, or by name from models/configs ("vox-256").

    `extends: NAME` starts from another config and lays this one's keys over it (the published
    configurations differ from vox-256 in a few discriminator and training settings only).
    """
    path = Path(path_or_name)
    if not path.exists():
        path = CONFIG_DIR / f"{path_or_name}.yaml"
    if not path.exists():
        raise FileNotFoundError(f"no config at {path_or_name} and none named {path.name} in {CONFIG_DIR}")
    with open(path) as handle:
        config = yaml.safe_load(handle) or {}
    parent = config.pop("extends", None)
    if parent:
        if parent in _seen:
            raise ValueError(f"config {path.name} extends itself through {parent}")
        config = merge(load_config(parent, (*_seen, parent)), config)
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
