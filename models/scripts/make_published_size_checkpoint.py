"""A checkpoint the size of a published one, for timing imports (the published files cannot be
downloaded here): the networks of a published configuration with random weights and Adam states
for all three, in the published layout, as the authors' code saves it.

    /usr/bin/python3 models/scripts/make_published_size_checkpoint.py --config vox-adv-256 \
        --out ../runs/vox-adv-size.pth.tar [--legacy]
    time node dist/cli.mjs models import ../runs/vox-adv-size.pth.tar --id size-check
"""
import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fomm.checkpoint import save_checkpoint  # noqa: E402
from fomm.config import build_models, load_config  # noqa: E402
from fomm.train import make_optimizers  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default="vox-adv-256", help="a published configuration in models/configs")
    parser.add_argument("--out", required=True)
    parser.add_argument("--legacy", action="store_true", help="torch's legacy (non-zip) format")
    args = parser.parse_args(argv)
    config = load_config(args.config)
    torch.manual_seed(0)
    kp_detector, generator, discriminator = build_models(config)
    networks = {"generator": generator, "kp_detector": kp_detector, "discriminator": discriminator}
    optimizers = make_optimizers(kp_detector, generator, discriminator, config["train_params"])
    # One step with zero gradients gives every parameter its Adam moments, as after training.
    for net in networks.values():
        for p in net.parameters():
            p.grad = torch.zeros_like(p)
    for opt in optimizers.values():
        opt.step()
    save_checkpoint(args.out, networks, optimizers, epoch=150, legacy_format=args.legacy)
    size = Path(args.out).stat().st_size
    print(f"wrote {args.out}: {size / 1e6:.0f} MB ({args.config}, {'legacy' if args.legacy else 'zip'} format)")


if __name__ == "__main__":
    main()
