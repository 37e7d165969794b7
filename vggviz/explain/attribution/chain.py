"""The private network attribution runs on, and the context that leaves the shared model as it was.

:class:`Chain` is ``layers[start:]`` of a torchvision VGG as one module that *shares* the model's
modules (no weight copies) but has its own non-in-place ``nn.ReLU()`` instances and an ``entry``
``nn.Identity()`` in front. Anything that hooks (captum's ``GuidedBackprop`` hooks every ReLU)
hooks the chain's own modules, which exist for one call, never the shared model that lock-free
analyses of other sessions are walking.

:func:`attribution_mode` holds the model's lock (the rule: work that hooks or mutates the shared
model holds ``loaded.lock``, see :class:`vggviz.model.weights.LoadedModel`) and restores mode,
``requires_grad`` and the ReLUs' ``inplace`` flags in ``finally``. Hooks are never removed by
editing a module's hook dicts: whoever registers one removes it through its handle (captum does,
in ``finally``); this module only *counts* them, read-only, and reports a leak as an error.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import torch
from torch import nn

from vggviz.errors import VggvizError
from vggviz.i18n import _
from vggviz.model.layers import Layer, named_layers
from vggviz.model.weights import LoadedModel

if TYPE_CHECKING:
    from vggviz.inference.analysis import Analysis

__all__ = ["Chain", "attribution_mode", "UnknownTargetError", "HOOK_DICTS", "hook_count", "num_classes",
           "class_label", "check_target"]

HOOK_DICTS = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")


class UnknownTargetError(VggvizError):
    """A class index outside the model's outputs; the message is one line."""


class Chain(nn.Module):
    """``layers[start:]`` of a torchvision VGG as one module that *shares* the model's modules
    (no weight copies) but has its own non-in-place ``nn.ReLU()`` instances and an ``entry``
    ``nn.Identity()`` in front, so captum can hook those without touching the shared model.

    ``chain.module(name)`` is the chain's module for a layer name (a fresh ReLU for ReLUs).
    Never call ``.train()``/``.eval()`` on a chain: that would reach the shared modules.
    """

    def __init__(self, layers: Sequence[Layer], start: int = 0) -> None:
        super().__init__()
        part = list(layers[start:])
        self.start = start
        self.entry = nn.Identity()
        self.names = [l.name for l in part]
        self.steps = nn.ModuleList(nn.ReLU() if isinstance(l.module, nn.ReLU) else l.module for l in part)
        self.flatten_at = next((i for i, l in enumerate(part) if l.path.startswith("classifier")), None)

    def module(self, name: str) -> nn.Module:
        return self.steps[self.names.index(name)]

    def own_modules(self) -> list[nn.Module]:
        """The modules that belong to this chain alone (entry and the fresh ReLUs)."""
        return [self.entry] + [m for m in self.steps if isinstance(m, nn.ReLU)]

    def run(self, x: torch.Tensor, keep: Sequence[int] = ()) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The output for input ``x``, and the outputs of the layers whose model indices are in
        ``keep`` (in forward order; ``start - 1`` is the input itself)."""
        wanted = set(keep)
        kept = [x] if self.start - 1 in wanted else []
        x = self.entry(x)
        for i, m in enumerate(self.steps):
            if i == self.flatten_at and x.dim() > 2:
                x = torch.flatten(x, 1)
            x = m(x)
            if self.start + i in wanted:
                kept.append(x)
        return x, kept

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.run(x)[0]


def num_classes(model: nn.Module) -> int:
    linears = [m for m in model.classifier.modules() if isinstance(m, nn.Linear)]
    return linears[-1].out_features


def class_label(loaded: LoadedModel, target: int) -> str:
    """The class's name (data: never translated), or ``class N`` when the model has no names."""
    cats = loaded.categories
    return cats[target] if len(cats) == num_classes(loaded.model) else f"class {target}"


def check_target(loaded: LoadedModel, analysis: Analysis, target: int | None) -> int:
    """``target`` as a class index of the model (None: the analysis's top-1), or :class:`UnknownTargetError`."""
    if target is None:
        return int(analysis.top[0].index)
    n = num_classes(loaded.model)
    if isinstance(target, bool) or not 0 <= int(target) < n:
        raise UnknownTargetError(_("target must be a class index from 0 to {last}, got {target}").format(
            last=n - 1, target=repr(target)))
    return int(target)


def hook_count(modules: Sequence[nn.Module]) -> int:
    """How many module hooks ``modules`` hold (read-only)."""
    return sum(len(getattr(m, d, None) or {}) for m in modules for d in HOOK_DICTS)


@contextlib.contextmanager
def attribution_mode(loaded: LoadedModel) -> Iterator[Chain]:
    """Hold the model's lock and yield a whole-network :class:`Chain` for gradient methods.

    The chain shares the weights but has its own non-in-place ReLUs, so captum's hooks
    (GuidedBackprop hooks every ReLU) land on the chain, never on the shared model. On exit,
    always (also after an exception): train/eval mode, ``requires_grad`` of every parameter and
    every ReLU's ``inplace`` flag are restored. Hooks are not touched: a block that raised
    nothing but left hooks behind (on the shared model or the chain) is an error
    (RuntimeError), since it means an attribution object did not remove what it registered;
    the chain's own hooks go away with the chain.
    """
    model = loaded.model
    with loaded.lock:
        shared = list(model.modules())
        modes = [m.training for m in shared]
        grads = [p.requires_grad for p in model.parameters()]
        relus = [(m, m.inplace) for m in shared if isinstance(m, nn.ReLU)]
        before = hook_count(shared)
        chain = Chain(named_layers(model), 0)
        model.eval()
        ok = False
        try:
            yield chain
            ok = True
        finally:
            for m, mode in zip(shared, modes):
                m.training = mode
            for p, g in zip(model.parameters(), grads):
                p.requires_grad_(g)
            for m, flag in relus:
                m.inplace = flag
            leaked = hook_count(shared) - before + hook_count(chain.own_modules())
            del chain
            if leaked and ok:
                raise RuntimeError(f"{leaked} hook(s) were left on the model by an attribution method")
