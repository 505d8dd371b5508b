"""Self-supervised training (paper Sec. 3.3). Resumable; writes the published checkpoint layout.

    /usr/bin/python3 -m fomm.train --config configs/face-128.yaml --split data/face-split.json \
        --data-root ../../shared/datasets --out ../runs/face-128 [--resume]
"""
import argparse
import csv
import json
import logging
import os
import random
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler
from tqdm import tqdm

from .checkpoint import load_checkpoint, load_weights, read_saved, save_checkpoint, save_weights
from .config import build_models, frame_size, load_config
from .data import ANCHORS, FramePairs, anchor_targets, cached_frames, load_split
from .prepare_faces import load_prepared
from .face_landmark_net import FaceExpressionNet, FaceLandmark68
from .full_model import DiscriminatorFullModel, GeneratorFullModel, total
from .losses import load_perceptual

log = logging.getLogger("fomm.train")


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def warmup_factor(steps_done, warmup_steps):
    """How much of the scheduled learning rate a step gets while fresh Adam state warms up: rising
    linearly to 1 over `warmup_steps` (Adam's first updates are about lr per weight whatever the
    gradient, which knocks trained weights off their minimum when --init starts without optimizer state)."""
    if warmup_steps <= 0 or steps_done >= warmup_steps:
        return 1.0
    return (steps_done + 1) / (warmup_steps + 1)


def load_videos(clips, config, cache_dir):
    height, width = frame_size(config)
    strip_width = config["dataset_params"].get("strip_frame_width")
    return [cached_frames(p, height, width, cache_dir, strip_width) for p in clips]


def load_prepared_videos(clips, directory):
    """Clips framed like the app frames them, with landmarks (fomm.prepare_faces); unprepared ones left out."""
    videos, landmarks = [], []
    for clip in clips:
        found = load_prepared(directory, clip)
        if found is None:
            log.warning("%s was not prepared (no face found): left out", Path(clip).name)
            continue
        videos.append(found[0])
        landmarks.append(found[1])
    return videos, landmarks


def assign_anchor_keypoints(kp_detector, videos, landmarks, frames=64, seed=0):
    """Which keypoint each landmark anchor (data.ANCHORS) pulls: the assignment that moves the
    keypoints least, from where the detector puts them now (Hungarian, on mean L1 distances over
    `frames` frames with a face). Starting from trained weights this keeps the anchored keypoints
    where they already almost are."""
    from scipy.optimize import linear_sum_assignment

    if kp_detector.num_kp < len(ANCHORS):
        raise ValueError(f"{len(ANCHORS)} landmark anchors need at least as many keypoints; the model has {kp_detector.num_kp}")
    rng = np.random.default_rng(seed)
    picks = [(v, f) for v, marks in enumerate(landmarks) for f in range(len(marks)) if np.isfinite(marks[f]).all()]
    picks = [picks[i] for i in rng.choice(len(picks), size=min(frames, len(picks)), replace=False)]
    images = torch.stack([torch.from_numpy(np.ascontiguousarray(videos[v][f])).permute(2, 0, 1).float() / 255 for v, f in picks])
    height, width = images.shape[2:]
    targets = torch.stack([anchor_targets(landmarks[v][f], height, width)[0] for v, f in picks])
    was_training = kp_detector.training
    kp_detector.eval()
    with torch.no_grad():
        values = torch.cat([kp_detector(images[i:i + 16])["value"] for i in range(0, len(images), 16)])
    kp_detector.train(was_training)
    cost = (targets.unsqueeze(2) - values.unsqueeze(1)).abs().sum(-1).mean(0)  # (A, K)
    rows, cols = linear_sum_assignment(cost.numpy())
    return [int(c) for _, c in sorted(zip(rows, cols))]


def make_optimizers(kp_detector, generator, discriminator, train_params):
    betas = (0.5, 0.999)
    return {
        "generator": torch.optim.Adam(generator.parameters(), lr=train_params["lr_generator"], betas=betas),
        "kp_detector": torch.optim.Adam(kp_detector.parameters(), lr=train_params["lr_kp_detector"], betas=betas),
        "discriminator": torch.optim.Adam(discriminator.parameters(), lr=train_params["lr_discriminator"], betas=betas),
    }


def fit_steps(kp_detector, generator, discriminator, train_params, videos, steps, batch_size=4, seed=0, lr=1e-3):
    """A short in-memory training loop (no GAN) for tests and fixtures; returns the reconstruction losses."""
    optimizers = make_optimizers(
        kp_detector, generator, discriminator, {**train_params, "lr_generator": lr, "lr_kp_detector": lr}
    )
    model = GeneratorFullModel(kp_detector, generator, discriminator, train_params)
    data = FramePairs(videos, num_repeats=max(1, steps * batch_size // max(1, len(videos))), seed=seed)
    rng = torch.Generator().manual_seed(seed)
    history = []
    model.train()
    for step in range(steps):
        items = [data[(step * batch_size + i) % len(data)] for i in range(batch_size)]
        terms, _ = model(torch.stack([b["source"] for b in items]), torch.stack([b["driving"] for b in items]), rng)
        for name in ("generator", "kp_detector"):
            optimizers[name].zero_grad()
        total(terms).backward()
        optimizers["generator"].step()
        optimizers["kp_detector"].step()
        history.append(float(terms["reconstruction"]))
    return history


def plot_losses(csv_path, png_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not Path(csv_path).exists():
        return  # fewer steps than --log-every: nothing logged yet
    with open(csv_path) as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return
    fig, ax = plt.subplots(figsize=(7, 4))
    steps = [int(r["step"]) for r in rows]
    for key in rows[0]:
        if key in ("step", "epoch", "seconds"):
            continue
        values = [float(r[key]) if r.get(key) else np.nan for r in rows]
        ax.plot(steps, values, label=key)
    ax.set_xlabel("iteration")
    ax.set_yscale("log")
    ax.legend(fontsize=8)
    ax.set_title(Path(csv_path).parent.name)
    fig.tight_layout()
    fig.savefig(png_path, dpi=90)
    plt.close(fig)


class LossLog:
    """Appends one CSV row per logged step; a term first seen later (a resumed run) adds a column."""

    def __init__(self, path):
        self.path = Path(path)
        self.fields = None
        if self.path.exists():
            with open(self.path) as handle:
                self.fields = next(csv.reader(handle), None)

    def append(self, row):
        if self.fields is None:
            self.fields = list(row)
            with open(self.path, "w", newline="") as handle:
                csv.writer(handle).writerow(self.fields)
        elif any(key not in self.fields for key in row):
            # A resumed run with a new loss term: widen the header, earlier rows leave it empty.
            with open(self.path, newline="") as handle:
                rows = list(csv.DictReader(handle))
            self.fields += [key for key in row if key not in self.fields]
            with open(self.path, "w", newline="") as handle:
                writer = csv.DictWriter(handle, self.fields)
                writer.writeheader()
                writer.writerows(rows)
        with open(self.path, "a", newline="") as handle:
            csv.DictWriter(handle, self.fields, extrasaction="ignore").writerow(row)


def anchor_assignment(out, init_keypoints, kp_detector, videos, landmarks):
    """The anchors' keypoints: the run's own (resume), else the --init weights' (init_keypoints, the
    list they were saved with, or None), else a new assignment."""
    record = Path(out) / "anchors.json"
    if record.exists():
        chosen = json.loads(record.read_text())["keypoints"]
    elif init_keypoints:
        chosen = list(init_keypoints)
    else:
        chosen = assign_anchor_keypoints(kp_detector, videos, landmarks)
    if not dist.is_initialized() or dist.get_rank() == 0:
        record.write_text(json.dumps({"keypoints": chosen, "anchors": [a["name"] for a in ANCHORS]}, indent=1) + "\n")
    log.info("landmark anchors: %s", ", ".join(f"{a['name']} -> kp {k}" for a, k in zip(ANCHORS, chosen)))
    return chosen


def distributed_setup():
    """Under torchrun (WORLD_SIZE > 1): join the process group (gloo: training runs on the CPU).

    Returns (rank, world_size). Every rank trains on its own share of the pairs; DDP averages the
    gradients, so the replicas stay equal; only rank 0 writes files.
    """
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return 0, 1
    dist.init_process_group(backend="gloo")
    return dist.get_rank(), world


def train(args):
    rank, world = distributed_setup()
    config = load_config(args.config)
    train_params = config["train_params"]
    seed_everything(args.seed)
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO if rank == 0 else logging.WARNING,
        format="%(asctime)s %(levelname)s %(message)s",
        handlers=[logging.FileHandler(out / "train.log"), logging.StreamHandler()] if rank == 0 else [logging.StreamHandler()],
    )
    if rank == 0:
        (out / "config.yaml").write_text(Path(args.config).read_text() if Path(args.config).exists() else str(config))
    if world > 1:
        log.info("distributed: %d processes (%s)", world, dist.get_backend())

    clips = load_split(args.split, args.data_root)["train"]
    landmarks = None
    if args.prepared:
        videos, landmarks = load_prepared_videos(clips, args.prepared)
    else:
        videos = load_videos(clips, config, args.cache or out / "cache")
    log.info("training on %d clips, %d frames", len(videos), sum(len(v) for v in videos))

    kp_detector, generator, discriminator = build_models(config)
    device = torch.device(args.device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cudnn.benchmark = True
    kp_detector, generator, discriminator = (net.to(device) for net in (kp_detector, generator, discriminator))
    optimizers = make_optimizers(kp_detector, generator, discriminator, train_params)
    ckpt = out / "checkpoint.pth.tar"
    start_epoch = 0
    saved = None  # the --init file, read once
    if args.resume and ckpt.exists():
        start_epoch = load_checkpoint(ckpt, {"kp_detector": kp_detector, "generator": generator, "discriminator": discriminator}, optimizers) + 1
        log.info("resumed from %s at epoch %d", ckpt, start_epoch)
    elif args.init:
        saved = read_saved(args.init)
        start_epoch = load_weights(saved, {"kp_detector": kp_detector, "generator": generator, "discriminator": discriminator}) + 1
        log.info("weights from %s (epoch %d; fresh optimizer state; %s discriminator)", args.init, start_epoch,
                 "its" if saved.get("discriminator") is not None else "a fresh")
    for opt in optimizers.values():
        for group in opt.param_groups:
            group.setdefault("initial_lr", group["lr"])
    milestones = train_params["epoch_milestones"]
    schedulers = [
        torch.optim.lr_scheduler.MultiStepLR(opt, milestones, gamma=0.1, last_epoch=start_epoch - 1)
        for name, opt in optimizers.items()
        if name != "discriminator" or train_params["loss_weights"].get("generator_gan", 0)
    ]

    anchor_keypoints = None
    if train_params["loss_weights"].get("landmark_anchor", 0):
        if landmarks is None:
            raise SystemExit("landmark_anchor needs landmarks: give --prepared (fomm.prepare_faces)")
        anchor_keypoints = anchor_assignment(
            out, saved.get("anchor_keypoints") if saved is not None else None, kp_detector, videos, landmarks)
    vgg = load_perceptual(args.vgg)
    landmark_net = None
    if train_params["loss_weights"].get("expression_landmarks", 0):
        variant = train_params.get("expression_landmark_net", "tiny")
        landmark_net = FaceLandmark68(variant).to(device)
        log.info("expression loss: face-api's %s 68-point landmark network", variant)
    face_net = None
    if any(train_params["loss_weights"].get("face_perceptual") or []):
        face_net = FaceExpressionNet().to(device)
        log.info("face perceptual loss: face-api's expression network, blocks weighted %s",
                 train_params["loss_weights"]["face_perceptual"])
    model = GeneratorFullModel(kp_detector, generator, discriminator, train_params, vgg, anchor_keypoints, landmark_net,
                               face_net)
    pyramid = model.pyramid
    if world > 1:
        # Gradients averaged over the ranks at every step; the discriminator sits unused in here.
        model = DistributedDataParallel(model, find_unused_parameters=True)
    use_gan = bool(train_params["loss_weights"].get("generator_gan", 0))
    disc_model = DiscriminatorFullModel(discriminator, train_params, pyramid) if use_gan else None

    expression_weight = float(train_params.get("expression_weight", 0))
    if expression_weight and landmarks is None:
        log.warning("expression_weight needs landmarks (--prepared): reconstruction is weighted uniformly")
    dataset = FramePairs(
        videos, train_params["num_repeats"], config["dataset_params"].get("augmentation_params"), args.seed,
        landmarks=landmarks, expression_weight=expression_weight, anchors=anchor_keypoints is not None,
    )
    loss_log = LossLog(out / "losses.csv")
    deadline = time.time() + args.max_minutes * 60 if args.max_minutes else None
    num_epochs = args.epochs or train_params["num_epochs"]
    step = start_epoch * (len(dataset) // train_params["batch_size"])
    started = time.time()
    warmup_steps = args.warmup_steps if args.warmup_steps is not None else (100 if args.init and not args.resume else 0)
    if warmup_steps:
        log.info("learning rate warms up over %d steps (fresh optimizer state)", warmup_steps)
    run_steps = 0
    for epoch in range(start_epoch, num_epochs):
        dataset.epoch = epoch
        if world > 1:
            # Each rank its own share of the epoch's pairs (the batch size is per rank).
            sampler = DistributedSampler(dataset, num_replicas=world, rank=rank, shuffle=True, seed=args.seed, drop_last=True)
            sampler.set_epoch(epoch)
            loader = DataLoader(dataset, batch_size=train_params["batch_size"], sampler=sampler, drop_last=True,
                                num_workers=args.workers, pin_memory=device.type == "cuda")
        else:
            loader = DataLoader(
                dataset, batch_size=train_params["batch_size"], shuffle=True, drop_last=True, num_workers=args.workers,
                generator=torch.Generator().manual_seed(args.seed * 100003 + epoch), pin_memory=device.type == "cuda",
                persistent_workers=False,
            )
        warp_rng = torch.Generator().manual_seed(args.seed * 7919 + epoch + 1000003 * rank)
        model.train()
        running = {}
        for batch in tqdm(loader, desc=f"epoch {epoch + 1}/{num_epochs}", leave=False, mininterval=5, disable=rank != 0):
            batch = {k: v.to(device, non_blocking=True) if torch.is_tensor(v) else v for k, v in batch.items()}
            anchors = {k: v for k, v in batch.items() if k.startswith("anchors_")} or None
            factor = warmup_factor(run_steps, warmup_steps)
            for opt in optimizers.values():
                for group in opt.param_groups:
                    group.setdefault("scheduled_lr", group["lr"])
                    group["lr"] = group["scheduled_lr"] * factor
            run_steps += 1
            terms, generated = model(batch["source"], batch["driving"], warp_rng, batch.get("weights"), anchors)
            loss = total(terms)
            optimizers["generator"].zero_grad()
            optimizers["kp_detector"].zero_grad()
            loss.backward()
            optimizers["generator"].step()
            optimizers["kp_detector"].step()
            if disc_model is not None:
                optimizers["discriminator"].zero_grad()
                disc_terms = disc_model(batch["driving"], generated)
                total(disc_terms).backward()
                optimizers["discriminator"].step()
                terms.update(disc_terms)
            step += 1
            for key, value in terms.items():
                running.setdefault(key, []).append(float(value))
            if step % args.log_every == 0:
                row = {key: float(np.mean(vals)) for key, vals in running.items()}
                row.update(step=step, epoch=epoch, seconds=round(time.time() - started, 1))
                if rank == 0:
                    loss_log.append(row)
                running = {}
        for opt in optimizers.values():
            for group in opt.param_groups:
                group["lr"] = group.pop("scheduled_lr", group["lr"])
        for sched in schedulers:
            sched.step()
        if world > 1 and args.check_replicas:
            check_replicas(out, epoch, {"kp_detector": kp_detector, "generator": generator}, rank, world)
        stop = bool(deadline and time.time() > deadline)
        if world > 1:
            # Rank 0's clock decides, so every rank leaves after the same epoch.
            flag = torch.tensor([int(stop)])
            dist.broadcast(flag, 0)
            stop = bool(flag.item())
        if rank != 0:
            if stop:
                break
            continue
        save_checkpoint(ckpt, {"kp_detector": kp_detector, "generator": generator, "discriminator": discriminator}, optimizers, epoch)
        if args.snapshot_every and (epoch + 1) % args.snapshot_every == 0:
            # Weights only, for comparing runs at equal training budgets (the ablation).
            save_checkpoint(out / f"weights-epoch{epoch + 1:03d}.pth.tar", {"kp_detector": kp_detector, "generator": generator}, {}, epoch)
        if args.weights_out:
            # fp16 weights, no optimizer state: small enough to commit; --init continues from them,
            # the discriminator included (5.5 MB at face-128), so a run on another machine does not
            # start the adversarial loss against a fresh one.
            extra = {"anchor_keypoints": anchor_keypoints} if anchor_keypoints else None
            save_weights(args.weights_out, {"kp_detector": kp_detector, "generator": generator,
                                            "discriminator": discriminator}, epoch, extra)
        plot_losses(out / "losses.csv", out / "loss-curve.png")
        log.info("epoch %d done at step %d (%.0f s)", epoch + 1, step, time.time() - started)
        if stop:
            log.info("time budget reached; resume with --resume")
            break
    if world > 1:
        dist.destroy_process_group()
    return ckpt


def check_replicas(out, epoch, networks, rank, world):
    """Every rank's parameters, gathered: the largest difference between replicas (0 when DDP works).

    Batch-norm running statistics are left out: each rank updates them on its own batches, and DDP
    hands rank 0's to all at the next forward.
    """
    flat = torch.cat([p.detach().reshape(-1) for net in networks.values() for p in net.parameters()])
    gathered = [torch.empty_like(flat) for _ in range(world)]
    dist.all_gather(gathered, flat)
    if rank == 0:
        diff = max(float((g - gathered[0]).abs().max()) for g in gathered)
        record = {"epoch": epoch, "world": world, "parameters": flat.numel(), "max_abs_diff": diff}
        (Path(out) / "replicas.json").write_text(json.dumps(record) + "\n")
        log.info("replicas after epoch %d: largest difference %g over %d values", epoch + 1, diff, flat.numel())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True)
    parser.add_argument("--split", required=True, help="JSON with train/test clip lists")
    parser.add_argument("--data-root", required=True, help="folder the split's paths are relative to")
    parser.add_argument("--out", required=True, help="run folder: checkpoint, logs, loss curve")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--init", default=None, help="start from these weights (fp16 file of --weights-out) with fresh optimizers")
    parser.add_argument("--weights-out", default=None, help="after each epoch, write fp16 weights (no optimizer state) here")
    parser.add_argument("--prepared", default=None, help="folder of fomm.prepare_faces: framed clips with landmarks")
    parser.add_argument("--epochs", type=int, default=None, help="override train_params.num_epochs")
    parser.add_argument("--max-minutes", type=float, default=None, help="stop after the epoch that passes this")
    parser.add_argument("--vgg", default=None, help="torchvision VGG-19 state dict for the perceptual loss")
    parser.add_argument("--cache", default=None, help="decoded-frame cache folder (default: OUT/cache)")
    parser.add_argument("--warmup-steps", type=int, default=None, help="linear learning-rate warm-up (default: 100 with --init, else 0)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu", help="cpu, or cuda on a GPU machine (scripts/gpu-train)")
    parser.add_argument("--workers", type=int, default=0, help="DataLoader processes preparing batches (a GPU wants several)")
    parser.add_argument("--log-every", type=int, default=10)
    parser.add_argument("--snapshot-every", type=int, default=0, help="also keep weights every N epochs")
    parser.add_argument("--check-replicas", action="store_true", help="under torchrun: record how far the replicas differ after each epoch")
    train(parser.parse_args(argv))


if __name__ == "__main__":
    main()
