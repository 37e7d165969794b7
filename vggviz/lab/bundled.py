"""The bundled shapes checkpoints (``assets/models/*.pth``): how they are trained and folded.

Each of A, B, D and E is trained once, with batch norm, by the lab's own loop
(:func:`vggviz.lab.training.train`) on :data:`RECIPE`: the lab's recipe on a bigger training set
(:data:`TRAIN_SIZE` images, 4 epochs) at a peak learning rate of 0.05, seed 0. That gives ``<v>_bn_mini.pth``. Its batch norms
are then folded into the convolutions before them (:func:`fold_bn`): in evaluation mode a batch
norm is a per-channel scale and shift, so ``conv → BN`` equals one conv with scaled weights and a
shifted bias, and the plain configuration ``<v>_mini.pth`` computes the same function (a test
checks the logits agree). The plain checkpoints are what the app's pages show; the initialisation
experiment copies A's layers from the plain A.

Run as a script (what ``assets/models/train.sh`` does)::

    python -m vggviz.lab.bundled vgg16_mini --out assets/models

writes ``vgg16_bn_mini.pth`` and ``vgg16_mini.pth`` with a JSON log beside each (the run's
epochs and ``final_accuracy`` on the 5,000 held-out images of :func:`vggviz.data.shapes.heldout`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import torch
from torch import nn

from vggviz.lab.recipe import Recipe

__all__ = ["RECIPE", "TRAIN_SIZE", "fold_bn", "folded", "main"]

TRAIN_SIZE = 20000
RECIPE = Recipe(train_size=TRAIN_SIZE, lr=0.05, val_size=5000, curve_size=1000, seed=0)


def fold_bn(bn_model: nn.Module, plain_model: nn.Module) -> nn.Module:
    """Load into ``plain_model`` (the configuration without batch norm) the function of
    ``bn_model`` in evaluation mode: every ``conv → BN`` pair becomes one conv, every other layer
    is copied. Returns ``plain_model``."""
    convs = []
    mods = list(bn_model.features)
    for i, m in enumerate(mods):
        if isinstance(m, nn.Conv2d):
            bn = mods[i + 1] if i + 1 < len(mods) and isinstance(mods[i + 1], nn.BatchNorm2d) else None
            w, b = m.weight.detach(), (m.bias.detach() if m.bias is not None else torch.zeros(m.out_channels))
            if bn is not None:
                scale = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
                w = w * scale.view(-1, 1, 1, 1)
                b = (b - bn.running_mean) * scale + bn.bias.detach()
            convs.append((w, b))
    targets = [m for m in plain_model.features if isinstance(m, nn.Conv2d)]
    if len(targets) != len(convs):
        raise ValueError("the two configurations have different convolutions")
    with torch.no_grad():
        for t, (w, b) in zip(targets, convs):
            t.weight.copy_(w)
            t.bias.copy_(b)
        plain_model.classifier.load_state_dict(bn_model.classifier.state_dict())
    return plain_model


def folded(variant_bn: str, state: dict[str, torch.Tensor]) -> tuple[str, dict[str, torch.Tensor]]:
    """The plain variant's name and state dict for the trained ``<v>_bn_mini`` weights ``state``."""
    from vggviz.model.variants import build

    plain = variant_bn.replace("_bn_mini", "_mini")
    bn_model = build(variant_bn, seed=None)
    bn_model.load_state_dict(state)
    bn_model.eval()
    return plain, fold_bn(bn_model, build(plain, seed=None)).state_dict()


def main(argv=None) -> int:
    from vggviz.lab.training import checkpoint, percent, train

    p = argparse.ArgumentParser(prog="python -m vggviz.lab.bundled", description=__doc__.split("\n")[0])
    p.add_argument("variant", help="vgg11_mini | vgg13_mini | vgg16_mini | vgg19_mini")
    p.add_argument("--out", default="assets/models", help="folder for the two checkpoints and their logs")
    p.add_argument("--train-size", type=int, default=TRAIN_SIZE)
    p.add_argument("--epochs", type=int, default=RECIPE.epochs)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    recipe = dataclasses.replace(RECIPE, train_size=a.train_size, epochs=a.epochs).check()
    res = train(a.variant, recipe)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    log = res.to_json()
    torch.save(checkpoint(res), out / f"{res.variant}.pth")
    (out / f"{res.variant}.json").write_text(json.dumps(log, indent=1) + "\n", encoding="utf-8")
    plain, state = folded(res.variant, res.state_dict)
    ck = dict(checkpoint(res), state_dict=state, variant=plain)
    torch.save(ck, out / f"{plain}.pth")
    (out / f"{plain}.json").write_text(json.dumps(dict(log, variant=plain, folded_from=res.variant), indent=1) + "\n",
                                       encoding="utf-8")
    sys.stderr.write(f"{res.variant} → {plain}: {percent(res.final_accuracy)} % held-out in {res.seconds:.0f} s\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
