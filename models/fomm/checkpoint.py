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


def save_weights(path, networks, epoch, extra=None):
    """fp16 weights without optimizer state (about a third of a checkpoint), written atomically.

    extra: small JSON-like facts training needs to continue (e.g. "anchor_keypoints")."""
    state = {name: {k: (v.half() if v.is_floating_point() else v).cpu() for k, v in net.state_dict().items()}
             for name, net in networks.items()}
    state.update(extra or {})
    state["epoch"] = int(epoch)
    state["dtype"] = "float16"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    torch.save(state, tmp)
    os.replace(tmp, path)


def read_saved(path):
    """Everything save_weights (or save_checkpoint) wrote to `path`, on the CPU."""
    return torch.load(path, map_location="cpu")


def load_weights(saved, networks):
    """Weights from save_weights (or a full checkpoint), cast to each network's own dtype; the epoch.

    saved: the file's path, or what read_saved returned for it (to read a large file once)."""
    state = saved if isinstance(saved, dict) else read_saved(saved)
    for name, net in networks.items():
        if name not in state:
            continue
        own = net.state_dict()
        learned = {k for k, _ in net.named_parameters()}
        weights = {}
        for key, value in state[name].items():
            if key in own and key not in learned and value.shape != own[key].shape:
                # A fixed buffer made from the configuration (an anti-aliasing kernel of another
                # scale, e.g. face-128's weights in face-256): the network's own one is right.
                weights[key] = own[key]
            else:
                weights[key] = value.to(own[key].dtype) if key in own else value
        for key in own.keys() - weights.keys():
            # A part added since these weights were saved whose zero is no change (the generator's
            # warped skips): zero is what the saved network had; any other missing key fails below.
            if key.startswith(getattr(net, "zero_start_prefixes", ())):
                weights[key] = torch.zeros_like(own[key])
        net.load_state_dict(weights)
    return int(state.get("epoch", 0))
