"""Checkpoints in the published layout: generator, kp_detector, discriminator, optimizer_*, epoch."""
import os
from pathlib import Path

import torch

NETWORKS = ("generator", "kp_detector", "discriminator")


def save_checkpoint(path, networks, optimizers, epoch, legacy_format=False):
    """Write atomically: a crash mid-write never leaves a truncated checkpoint under `path`."""
    state = {name: networks[name].state_dict() for name in NETWORKS if name in networks}
    for name, opt in optimizers.items():
        state[f"optimizer_{name}"] = opt.state_dict()
    state["epoch"] = int(epoch)
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    torch.save(state, tmp, _use_new_zipfile_serialization=not legacy_format)
    os.replace(tmp, path)


def load_checkpoint(path, networks, optimizers=None, strict=True):
    """Load weights (and optimizer states when given); returns the stored epoch."""
    state = torch.load(path, map_location="cpu")
    missing = [name for name in networks if name not in state]
    if missing:
        raise KeyError(f"{path} has no {', '.join(missing)} state dict (keys: {', '.join(sorted(state))})")
    for name, net in networks.items():
        net.load_state_dict(state[name], strict=strict)
    for name, opt in (optimizers or {}).items():
        key = f"optimizer_{name}"
        if key in state:
            opt.load_state_dict(state[key])
    return int(state.get("epoch", 0))
