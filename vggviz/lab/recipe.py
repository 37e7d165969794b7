"""The shapes lab's training recipe (:class:`Recipe`), its learning-rate schedule (:func:`lr_at`)
and the one-line errors of a request that cannot be trained (:class:`TrainingError`, with
:func:`localise_error` for the errors a worker thread made in English). The loop that runs a
recipe is :mod:`vggviz.lab.training`."""

from __future__ import annotations

import dataclasses
import math
import re
import string
from dataclasses import dataclass
from functools import cache

from vggviz.errors import VggvizError
from vggviz.i18n import N_, _

__all__ = ["Recipe", "TrainingError", "INITS", "lr_at", "localise_error"]

INITS = ("he", "glorot", "gaussian", "from-a", "from-d")
_INIT_ALIASES = {"default": "he", "random": "he", "kaiming": "he"}


class TrainingError(VggvizError):
    """A request that cannot be trained; the message is one line for the user, in the language
    of the thread that raised it (a worker thread: English; see :func:`localise_error`)."""


# The messages of TrainingError. A run's error is made in a worker thread, in English, and shown
# later to readers of any language: :func:`localise_error` finds its template here.
_EPOCHS = N_("epochs must be at least 1, got {epochs}")
_BATCH = N_("batch size must be at least 2, got {batch}")
_SIZES = N_("the training set must hold at least one batch and the held-out set one image")
_INIT = N_("unknown initialisation {init}; choose one of: {choices}")
_RANGES = N_("learning rate must be in (0, 10), warm-up in [0, 1) and dropout in [0, 1)")
_LAYERS_DIFFER = N_("cannot initialise {name} from A: the layers differ")
_NO_CHECKPOINT = N_("this initialisation needs the trained {variant} that ships in assets/models; it is missing")
_MINI_ONLY = N_("only the mini variants train here (on 64×64 shapes), not {variant}; try {mini}")
_DIVERGED = N_("{variant} diverged (the loss became NaN) in epoch {epoch}; lower the learning rate")
_MESSAGES = (_EPOCHS, _BATCH, _SIZES, _INIT, _RANGES, _LAYERS_DIFFER, _NO_CHECKPOINT, _MINI_ONLY, _DIVERGED)


@cache
def _pattern(template: str) -> re.Pattern:
    """A regular expression matching ``template`` formatted with any values (a field that
    appears twice must hold the same value twice)."""
    out, seen = [], set()
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        out.append(re.escape(literal))
        if name is not None:
            out.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
            seen.add(name)
    return re.compile("".join(out))


def localise_error(text: str) -> str:
    """A one-line error made in English by a training worker (a job's ``error``) in the current
    language: matched against the templates of this module's messages and re-formatted in
    translation; any other text goes through ``_()`` as it is (unknown text stays unchanged)."""
    for template in _MESSAGES:
        m = _pattern(template).fullmatch(text)
        if m:
            return _(template).format(**m.groupdict())
    return _(text)


@dataclass(frozen=True)
class Recipe:
    """The lab's training recipe at teaching scale. Frozen and hashable: identical recipes
    are identical requests (the worker pool shares their run).

    The budget is ``epochs`` passes over ``train_size`` images in batches of ``batch_size``
    (at most ``max_batches`` per epoch): a fixed number of steps, whatever the configuration.
    ``lr`` is the peak learning rate, reached after the ``warmup`` share of the steps.

    The defaults are the lab's budget (docs/lab.md, "The recipe", has the measurements behind
    them): no dropout (0.5 on the 256-wide fc6/fc7 kept runs at chance), a peak of 0.02 (at 0.05
    the deep arms' results depended on the seed's luck), batch norm on."""

    epochs: int = 4
    batch_size: int = 32
    lr: float = 0.02
    warmup: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 5e-4
    dropout: float = 0.0
    train_size: int = 6000
    val_size: int = 1000
    curve_size: int = 0             # held-out images scored after each epoch but the last (0: all)
    seed: int = 0
    init: str = "he"
    bn: bool = True
    optimizer: str = "sgd"          # sgd (with momentum, the paper's) or adam
    scale_jitter: bool = False
    max_batches: int | None = None  # per epoch: a cap for quick demonstrations and tests

    def __post_init__(self):
        object.__setattr__(self, "init", _INIT_ALIASES.get(self.init, self.init))

    def check(self) -> Recipe:
        if self.epochs < 1:
            raise TrainingError(_(_EPOCHS).format(epochs=self.epochs))
        if self.batch_size < 2:
            raise TrainingError(_(_BATCH).format(batch=self.batch_size))
        if self.train_size < self.batch_size or self.val_size < 1 or self.curve_size < 0:
            raise TrainingError(_(_SIZES))
        if self.init not in INITS:
            raise TrainingError(_(_INIT).format(init=repr(self.init), choices=", ".join(INITS)))
        if not (0 < self.lr < 10) or not (0 <= self.dropout < 1) or not (0 <= self.warmup < 1):
            raise TrainingError(_(_RANGES))
        return self

    @property
    def batches(self) -> int:
        """Steps per epoch."""
        n = self.train_size // self.batch_size
        return min(n, self.max_batches) if self.max_batches else n

    @property
    def steps(self) -> int:
        """The whole budget in optimiser steps."""
        return self.epochs * self.batches

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def lr_at(recipe: Recipe, step: int) -> float:
    """The learning rate of step ``step`` (0-based) of ``recipe``: linear warm-up from
    ``lr / warm-up steps`` to ``lr`` over the first ``warmup`` share of the steps, then a half
    cosine down to zero at the last step's end."""
    total = max(recipe.steps, 1)
    warm = int(round(recipe.warmup * total))
    if step < warm:
        return recipe.lr * (step + 1) / warm
    t = (step - warm) / max(total - warm, 1)
    return recipe.lr * 0.5 * (1 + math.cos(math.pi * min(t, 1.0)))
