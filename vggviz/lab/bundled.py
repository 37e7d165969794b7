"""Training the bundled shapes checkpoints: a budget of steps on a stream of fresh images.

The bundled mini models (``assets/models/*.pth``) must recognise shapes drawn by any program,
so they never see an image twice: step ``k`` trains on images ``k·batch … (k+1)·batch − 1`` of
:data:`DATA_SEED` (:func:`vggviz.data.shapes.batch`), with random horizontal flips. The optimiser is
SGD with momentum 0.9 and weight decay 5·10⁻⁴; the learning rate warms up linearly over the
first ``warmup`` share of the steps and decays to zero on a half cosine; the final, annealed
weights are kept. ``init`` copies every conv and FC layer of a trained model that has them
(by name, as the paper started its deeper nets from a shallower trained one). Deterministic in
its arguments on one machine (CPU kernels' floating-point order aside).

Run as a script, it trains one variant and writes the checkpoint and its JSON log::

    python -m vggviz.lab.bundled vgg16_mini --steps 3000 --out assets/models/vgg16_mini.pth

The JSON log holds the held-out accuracy (:func:`vggviz.data.shapes.heldout`, 5,000 images) of the
final weights as ``val_accuracy`` (a fraction) and ``final_accuracy`` (percent), and a curve
of held-out accuracy on its first 1,000 images every ``eval_every`` steps.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from vggviz.data import shapes
from vggviz.model.layers import named_layers
from vggviz.model.variants import build, canonical, variant_info

__all__ = ["DATA_SEED", "BundledRun", "lr_at", "train_steps", "evaluate", "main"]

DATA_SEED = 100          # the stream's images (the held-out set is shapes.HELDOUT_SEED)
CURVE_SIZE = 1000        # held-out images scored along the way (the final score uses all)


@dataclass
class BundledRun:
    variant: str
    steps: int
    batch_size: int
    lr: float
    seed: int
    val_accuracy: float                                  # the final weights, on shapes.heldout()
    curve: list[tuple[int, float]]                       # (step, held-out accuracy on CURVE_SIZE images)
    seconds: float
    copied: tuple[str, ...] = ()
    device: str = "cpu"
    state_dict: dict[str, torch.Tensor] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict:
        return {"variant": self.variant, "classes": list(shapes.CLASSES), "steps": self.steps,
                "batch_size": self.batch_size, "lr": self.lr, "seed": self.seed, "data_seed": DATA_SEED,
                "val_accuracy": round(self.val_accuracy, 6), "final_accuracy": round(100 * self.val_accuracy, 4),
                "heldout": {"seed": shapes.HELDOUT_SEED, "size": shapes.HELDOUT_SIZE},
                "curve": [{"step": s, "val_accuracy": round(a, 6)} for s, a in self.curve],
                "seconds": round(self.seconds, 1), "device": self.device, "copied_from": list(self.copied)}


def lr_at(step: int, steps: int, lr: float, warmup: float) -> float:
    """Linear warm-up to ``lr`` over the first ``warmup`` share of ``steps``, then a half cosine
    to zero at the end."""
    warm = max(1, int(round(warmup * steps)))
    if step < warm:
        return lr * (step + 1) / warm
    t = (step - warm) / max(steps - warm, 1)
    return lr * 0.5 * (1 + math.cos(math.pi * min(t, 1.0)))


def _normalise(x: torch.Tensor) -> torch.Tensor:
    mean = torch.tensor(shapes.MEAN, device=x.device).view(1, 3, 1, 1)
    std = torch.tensor(shapes.STD, device=x.device).view(1, 3, 1, 1)
    return (x.float() / 255 - mean) / std


class _Stream(torch.utils.data.Dataset):
    """Batch ``k`` of the stream: images ``k·batch … (k+1)·batch − 1`` of DATA_SEED (a pure
    function of k, so worker processes can draw them in any order)."""

    def __init__(self, steps: int, batch_size: int):
        self.steps, self.batch_size = steps, batch_size

    def __len__(self) -> int:
        return self.steps

    def __getitem__(self, k: int):
        return shapes.batch(DATA_SEED, k * self.batch_size, self.batch_size)


@torch.no_grad()
def evaluate(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch_size: int = 500) -> float:
    """Accuracy of ``model`` in eval mode on uint8 images (its mode restored after)."""
    was = model.training
    model.eval()
    right = 0
    dev = next(model.parameters()).device
    for i in range(0, len(images), batch_size):
        out = model(_normalise(images[i: i + batch_size].to(dev))).argmax(1).cpu()
        right += int((out == labels[i: i + batch_size]).sum())
    model.train(was)
    return right / max(len(images), 1)


def _copy_layers(model: nn.Module, source: nn.Module) -> tuple[str, ...]:
    """Copy every conv and FC layer of ``source`` into ``model`` by name where the shapes agree;
    a classifier with more outputs (more classes, the old ones first) gets the old rows."""
    ours = {l.name: l.module for l in named_layers(model)}
    copied = []
    with torch.no_grad():
        for l in named_layers(source):
            dst = ours.get(l.name)
            if l.kind not in ("conv", "fc") or dst is None:
                continue
            w = l.module.weight
            if dst.weight.shape == w.shape:
                dst.weight.copy_(w)
                dst.bias.copy_(l.module.bias)
            elif l.kind == "fc" and dst.weight.shape[1:] == w.shape[1:] and dst.weight.shape[0] > w.shape[0]:
                dst.weight[: w.shape[0]].copy_(w)
                dst.bias[: w.shape[0]].copy_(l.module.bias)
            else:
                continue
            copied.append(l.name)
    return tuple(copied)


def train_steps(variant: str, steps: int, *, batch_size: int = 64, lr: float = 0.02, warmup: float = 0.05,
                seed: int = 0, init: nn.Module | None = None, eval_every: int = 250,
                train_size: int | None = None, device: str = "cpu", workers: int = 0, log=None) -> BundledRun:
    """Train mini ``variant`` for ``steps`` steps on the fresh-image stream (or, with
    ``train_size``, on that many images of the stream, reshuffled every pass, as the lab's
    runs do); see the module. ``workers`` processes draw the stream's batches ahead (on a
    machine with spare cores; the images are the same), ``device`` trains on a GPU."""
    info = variant_info(canonical(variant))
    if not info.mini or steps < 1 or batch_size < 2:
        raise ValueError(f"need a mini variant, steps ≥ 1 and batch ≥ 2: {variant}, {steps}, {batch_size}")
    t0 = time.perf_counter()
    dev = torch.device(device)
    model = build(info.name, seed=seed).train()
    copied = _copy_layers(model, init) if init is not None else ()
    model.to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)
    g = torch.Generator().manual_seed(seed)
    xv, yv = shapes.heldout()
    curve: list[tuple[int, float]] = []
    fixed = shapes.batch(DATA_SEED, 0, train_size) if train_size else None
    per_pass = train_size // batch_size if train_size else 0
    order = None
    stream = iter(torch.utils.data.DataLoader(_Stream(steps, batch_size), batch_size=None, num_workers=workers,
                                              prefetch_factor=8 if workers else None)) if fixed is None else None
    with torch.random.fork_rng(devices=[dev] if dev.type == "cuda" else []):
        torch.manual_seed(seed)
        for step in range(steps):
            for group in opt.param_groups:
                group["lr"] = lr_at(step, steps, lr, warmup)
            if stream is not None:
                x, y = next(stream)
            else:
                if step % per_pass == 0:
                    order = torch.randperm(train_size, generator=g)
                idx = order[(step % per_pass) * batch_size: (step % per_pass + 1) * batch_size]
                x, y = fixed[0][idx], fixed[1][idx]
            x, y = _normalise(x.to(dev)), y.to(dev)
            flip = (torch.rand(batch_size, generator=g) < 0.5).to(dev)
            x = torch.where(flip.view(-1, 1, 1, 1), x.flip(3), x)
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if not math.isfinite(float(loss.detach())):
                raise FloatingPointError(f"{variant} diverged at step {step}; lower the learning rate")
            if (step + 1) % eval_every == 0 or step + 1 == steps:
                acc = evaluate(model, xv[:CURVE_SIZE], yv[:CURVE_SIZE])
                curve.append((step + 1, acc))
                if log:
                    log(f"{info.name} step {step + 1}/{steps} loss {float(loss.detach()):.3f} held-out {100 * acc:.1f}% "
                        f"({time.perf_counter() - t0:.0f} s)")
    model.eval()
    final = evaluate(model, xv, yv)
    return BundledRun(info.name, steps, batch_size, lr, seed, final, curve, time.perf_counter() - t0, copied, str(dev),
                      {k: v.detach().cpu().clone() for k, v in model.state_dict().items()})


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m vggviz.lab.bundled", description=__doc__.split("\n\n")[0])
    p.add_argument("variant")
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.02)
    p.add_argument("--warmup", type=float, default=0.05)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--device", default="auto", help="cpu, cuda, or auto (cuda when there is one)")
    p.add_argument("--workers", type=int, default=0, help="processes drawing the images ahead")
    p.add_argument("--init", default=None, help="a .pth checkpoint whose conv/FC layers start the run (by name)")
    p.add_argument("--out", default=None, help="where to write the checkpoint; its log goes beside it as .json")
    a = p.parse_args(argv)
    try:
        init = None
        if a.init:
            ck = torch.load(a.init, map_location="cpu", weights_only=True)
            init = build(ck["variant"], seed=0, num_classes=len(ck["classes"]))
            init.load_state_dict(ck["state_dict"])
        run = train_steps(a.variant, a.steps, batch_size=a.batch, lr=a.lr, warmup=a.warmup, seed=a.seed,
                          init=init, eval_every=a.eval_every, workers=a.workers,
                          device=("cuda" if torch.cuda.is_available() else "cpu") if a.device == "auto" else a.device,
                          log=lambda s: print(s, file=sys.stderr, flush=True))
    except (ValueError, KeyError, OSError, FloatingPointError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    out = run.to_json()
    if a.out:
        torch.save({"state_dict": run.state_dict, "classes": list(shapes.CLASSES), "variant": run.variant,
                    "recipe": {k: out[k] for k in ("steps", "batch_size", "lr", "seed", "data_seed")},
                    "val_accuracy": run.val_accuracy}, a.out)
        Path(a.out).with_suffix(".json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
