"""Fine-tuning the last block (conv5_x) together with a new head, on a private copy of the block:
the frozen-features head first, then both trained with SGD within an epoch and time budget, both
scored on the same held-out images."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F

from vggviz.i18n import _
from vggviz.inference.analysis import preprocess
from vggviz.lab.transfer.head import (
    _READ_AT,
    BATCH,
    DEFAULT_LAYER,
    EPOCHS,
    Head,
    Progress,
    TransferError,
    _check_classes,
    _check_layer,
    _train,
    model_checkpoint,
)
from vggviz.model.layers import LAST_BLOCK_INPUT, named_layers, walk
from vggviz.model.weights import LoadedModel

if TYPE_CHECKING:
    from vggviz.inference.analysis import Analysis

__all__ = [
    "FINETUNE_EPOCHS",
    "FINETUNE_MAX_EPOCHS",
    "FINETUNE_SECONDS",
    "FINETUNE_MAX_SECONDS",
    "FineTuned",
    "finetune",
    "finetuned_predict",
    "finetuned_predict_from_analysis",
    "holdout_mask",
]

# Fine-tuning the last block (conv5_x) together with the head: the budget. On 2 CPU cores the
# mini family runs an epoch of 100 images in well under a second; a full-size VGG16 about 0.2 s
# per image and epoch (conv5 at 14×14×512), so the time bound is what stops it there.
FINETUNE_EPOCHS = 10         # default epochs (the page offers 1 to FINETUNE_MAX_EPOCHS)
FINETUNE_MAX_EPOCHS = 30
FINETUNE_SECONDS = 60.0      # default time bound; the loop stops after the step that passes it
FINETUNE_MAX_SECONDS = 120.0
FINETUNE_LR = 1e-4           # SGD with momentum 0.9 for conv5 (the tutorials' "very slow" rate)
FINETUNE_HEAD_LR = 1e-2      # the head (on standardised features) may move faster
FINETUNE_BATCH = 16
CLIP = 5.0                   # gradient-norm clip: random weights give wild first gradients
HOLDOUT_EVERY = 5            # every fifth image of a class (the 2nd, 7th, 12th, …) is held out


def holdout_mask(counts: Sequence[int]) -> np.ndarray:
    """Which examples (stacked class by class, in order) are held out when fine-tuning: the
    2nd, 7th, 12th, … image of each class (index ``i % HOLDOUT_EVERY == 1``). A class with two
    images keeps one to train on and gives one to test; a class with one gives none."""
    if not counts:
        return np.zeros(0, bool)
    return np.concatenate([np.arange(int(n)) % HOLDOUT_EVERY == 1 for n in counts])


@dataclass(frozen=True, eq=False)
class FineTuned:
    """The last block (conv5_x) and a new head trained together on the training images, and
    the held-out accuracy of both it and the frozen-features head on the same split."""

    head: Head                          # the fine-tuned head, on the fine-tuned network's raw features
    block: dict[str, torch.Tensor]      # the fine-tuned block: the model's state_dict keys → CPU tensors
    heldout: float | None               # fine-tuned block + head, on the held-out images
    frozen_heldout: float | None        # a frozen-features head trained on the same images, same held-out ones
    n_train: int
    n_heldout: int
    epochs: int                         # epochs begun
    steps: int                          # optimiser steps taken
    total_steps: int                    # the steps the epoch budget allowed
    stopped_by_time: bool               # the time bound ended it before the epochs did
    seconds: float
    losses: tuple[float, ...]           # the mean training loss of each epoch

    def checkpoint(self, loaded: LoadedModel) -> bytes | None:
        """The whole network with the fine-tuned block and the head in fc8's place (fc7 only)."""
        return model_checkpoint(loaded, self.head, self.block)


class _Tail(torch.nn.Module):
    """The network after pool4 up to a feature layer, then a linear head on standardised
    features: ``head((f - mu) / sd)``. The last block's modules with weights (conv5_x, and
    batch norm in ``_bn`` variants) are PRIVATE deep copies (trainable, eval mode); pools are
    copies too; fc6/fc7 read the shared model's weights *detached* (frozen: no copy of hundreds
    of megabytes, and no gradient can reach them); ReLUs are functional, never in place;
    dropout is left out (eval). Nothing of the shared model is changed or hooked."""

    def __init__(self, loaded: LoadedModel, layer: str, mu, sd, weight, bias) -> None:
        super().__init__()
        layers = named_layers(loaded.model)
        start = next(l.index for l in layers if l.name == LAST_BLOCK_INPUT) + 1
        stop = next(l.index for l in layers if l.name == _READ_AT[layer])
        dev = loaded.device
        self.block = torch.nn.ModuleDict()
        self.steps: list[tuple[str, str, object]] = []          # (layer name, kind, what)
        self._frozen: list[tuple[torch.Tensor, torch.Tensor]] = []
        for l in layers[start: stop + 1]:
            if isinstance(l.module, torch.nn.ReLU):
                self.steps.append((l.name, "relu", None))
            elif isinstance(l.module, torch.nn.Dropout):
                continue
            elif isinstance(l.module, torch.nn.Linear):
                self._frozen.append((l.module.weight.detach(), l.module.bias.detach()))
                self.steps.append((l.name, "linear", len(self._frozen) - 1))
            else:
                key = l.path.replace(".", "_")
                mod = copy.deepcopy(l.module).to(dev).eval()
                for p in mod.parameters():
                    p.requires_grad_(True)
                self.block[key] = mod
                self.steps.append((l.name, "module", key))
        self.paths = {l.path.replace(".", "_"): l.path for l in layers[start: stop + 1]}
        self.register_buffer("mu", torch.as_tensor(np.asarray(mu, np.float32)).to(dev))
        self.register_buffer("sd", torch.as_tensor(np.asarray(sd, np.float32)).to(dev))
        self.head = torch.nn.Linear(self.mu.numel(), len(bias)).to(dev)
        with torch.no_grad():
            self.head.weight.copy_(torch.as_tensor(np.asarray(weight, np.float32)))
            self.head.bias.copy_(torch.as_tensor(np.asarray(bias, np.float32)))

    def train(self, mode: bool = True):          # the copies stay in eval mode (BN statistics, no dropout)
        return super().train(False)

    def run(self, x: torch.Tensor, after: str | None = None, until: str | None = None) -> torch.Tensor:
        """The steps after layer ``after`` (default: from conv5_1) up to ``until`` (inclusive;
        default: the feature layer), without the head."""
        names = [step[0] for step in self.steps]
        i = names.index(after) + 1 if after else 0
        j = names.index(until) + 1 if until else len(names)
        for _name, kind, what in self.steps[i:j]:
            if kind == "relu":
                x = F.relu(x)
            elif kind == "linear":
                w, b = self._frozen[what]
                x = F.linear(torch.flatten(x, 1), w, b)
            else:
                x = self.block[what](x)
        return torch.flatten(x, 1) if until is None else x

    def logits(self, feats: torch.Tensor) -> torch.Tensor:
        return self.head((feats - self.mu) / self.sd)

    def forward(self, pool4: torch.Tensor) -> torch.Tensor:
        return self.logits(self.run(pool4))

    def block_state(self) -> dict[str, torch.Tensor]:
        return {f"{self.paths[k]}.{n}": t.detach().cpu().clone()
                for k, m in self.block.items() for n, t in m.state_dict().items()}

    def raw_head(self) -> tuple[np.ndarray, np.ndarray]:
        """The head on RAW features (the standardisation folded in), as :class:`Head` keeps it."""
        w = (self.head.weight.detach() / self.sd).cpu().numpy()
        b = (self.head.bias.detach() - (self.head.weight.detach() / self.sd * self.mu).sum(1)).cpu().numpy()
        return w.astype(np.float32), b.astype(np.float32)


def _tail_of(loaded: LoadedModel, tuned: FineTuned) -> _Tail:
    d = tuned.head.weight.shape[1]
    tail = _Tail(loaded, tuned.head.layer, np.zeros(d), np.ones(d), tuned.head.weight, tuned.head.bias)
    for key, mod in tail.block.items():
        prefix = tail.paths[key] + "."
        mod.load_state_dict({k[len(prefix):]: v for k, v in tuned.block.items() if k.startswith(prefix)})
    return tail


def _pool4_and_features(loaded: LoadedModel, images: Sequence, layer: str,
                        progress: Progress | None = None, run=None) -> tuple[torch.Tensor, np.ndarray]:
    """pool4's output (on the model's device) and ``layer``'s features of every image, from one
    walk of the shared model per batch (inference mode: no hooks, no change); each batch through
    ``run(key, fn)`` when given (the scheduler), ``progress(done, total)`` after it."""
    layers = named_layers(loaded.model)
    at = {l.name: l.index for l in layers}
    p4, read = at[LAST_BLOCK_INPUT], at[_READ_AT[layer]]
    pils = [getattr(im, "image", im) for im in images]

    def one_batch(batch) -> tuple[torch.Tensor, np.ndarray]:
        x = torch.cat([preprocess(loaded, p).tensor for p in batch]).to(loaded.device)
        got = {}

        def on_output(lay, t):
            if lay.index == p4:
                got["pool4"] = t.detach().float().clone()
            if lay.index == read:
                got["feats"] = torch.flatten(t, 1).float().cpu().numpy().copy()

        with torch.inference_mode():
            walk(loaded.model, x, on_output, stop=read, layers=layers)
        return got["pool4"], got["feats"]

    pools, feats = [], []
    for s in range(0, len(pils), BATCH):
        batch = pils[s: s + BATCH]
        if run is None:
            pool, feat = one_batch(batch)
        else:                     # a key no other call shares: these tensors are not worth joining
            pool, feat = run(("transfer-pool4", object()), lambda batch=batch: one_batch(batch))
        pools.append(pool)
        feats.append(feat)
        if progress is not None:
            progress(min(s + BATCH, len(pils)), len(pils))
    return torch.cat(pools).clone(), np.concatenate(feats)


def finetune(loaded: LoadedModel, images: Mapping[str, Sequence], layer: str = DEFAULT_LAYER,
             epochs: int = FINETUNE_EPOCHS, seconds: float = FINETUNE_SECONDS,
             progress: Callable[[str, int, int, float], None] | None = None, seed: int = 0,
             run=None) -> FineTuned:
    """Fine-tune the last block (conv5_x) together with a new head, on a private copy.

    ``images``: class name → PIL images (or LoadedImages). The images are split once
    (:func:`holdout_mask`); a frozen-features head is trained on the training part first (as the
    tutorials do, so that the first steps' large gradients do not wreck the block) and is the
    starting point of the fine-tuned head; then conv5_x and the head are trained together with
    SGD (momentum 0.9; conv5 at ``FINETUNE_LR``), in mini-batches of ``FINETUNE_BATCH`` shuffled
    with ``seed``, for ``epochs`` epochs or until ``seconds`` have passed (checked after every
    step). Both heads are scored on the same held-out images. ``progress(stage, done, total,
    loss)`` with stage "features" or "train". The shared model is only walked; those walks (up to
    pool4, one per batch of images) go through ``run(key, fn)`` when given (the scheduler), the
    training steps on the private copy do not."""
    _check_layer(layer)
    classes = _check_classes(images)
    if not 1 <= int(epochs) <= FINETUNE_MAX_EPOCHS:
        raise TransferError(_("epochs must be 1 to {k}").format(k=FINETUNE_MAX_EPOCHS))
    if not 0 < float(seconds) <= FINETUNE_MAX_SECONDS:
        raise TransferError(_("the time limit must be more than 0 and at most {s:.0f} s").format(s=FINETUNE_MAX_SECONDS))
    t0 = time.perf_counter()
    flat = [im for c in classes for im in images[c]]
    counts = [len(images[c]) for c in classes]
    pool4, feats = _pool4_and_features(
        loaded, flat, layer, None if progress is None else lambda d, t: progress("features", d, t, 0.0), run)
    y = np.concatenate([np.full(n, i, np.int64) for i, n in enumerate(counts)])
    held = holdout_mask(counts)
    train = ~held
    k = len(classes)

    # The frozen-features head on the training part: the baseline, and the fine-tuned head's start.
    w0, b0, _losses = _train(feats[train], y[train], k, EPOCHS)
    frozen_heldout = float(np.mean(np.argmax(feats[held] @ w0.T + b0, 1) == y[held])) if held.any() else None
    # Standardised as the frozen head was, but with a floor on the spread: a feature that barely
    # varies over the examples (common with random weights) would otherwise turn the block's
    # small changes into huge inputs for the head.
    sd = feats[train].std(0)
    mu, sd = feats[train].mean(0), np.maximum(sd, 0.05 * float(sd.mean()) + 1e-6)
    tail = _Tail(loaded, layer, mu, sd, w0 * sd, b0 + (w0 * mu).sum(1))

    dev = loaded.device
    yt = torch.from_numpy(y).to(dev)
    train_idx = torch.from_numpy(np.flatnonzero(train))
    opt = torch.optim.SGD([{"params": list(tail.block.parameters()), "lr": FINETUNE_LR},
                           {"params": list(tail.head.parameters()), "lr": FINETUNE_HEAD_LR}], momentum=0.9)
    per_epoch = -(-len(train_idx) // FINETUNE_BATCH)
    total = per_epoch * int(epochs)
    gen = torch.Generator().manual_seed(int(seed))
    losses: list[float] = []
    steps = done_epochs = 0
    stopped = False
    with torch.inference_mode(False), torch.enable_grad():
        for _epoch in range(int(epochs)):
            done_epochs += 1
            order = train_idx[torch.randperm(len(train_idx), generator=gen)]
            epoch_loss, seen = 0.0, 0
            for s in range(0, len(order), FINETUNE_BATCH):
                idx = order[s: s + FINETUNE_BATCH].to(dev)
                loss = F.cross_entropy(tail(pool4[idx]), yt[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(tail.parameters(), CLIP)
                opt.step()
                steps += 1
                epoch_loss += float(loss.detach()) * len(idx)
                seen += len(idx)
                if progress is not None:
                    progress("train", steps, total, float(loss.detach()))
                if time.perf_counter() - t0 > seconds and steps < total:
                    stopped = True
                    break
            losses.append(epoch_loss / max(1, seen))
            if stopped:
                break
    with torch.no_grad():
        pred = tail(pool4).argmax(1).cpu().numpy()
    w, b = tail.raw_head()
    secs = time.perf_counter() - t0
    head = Head(classes, layer, loaded.variant, w, b, float(np.mean(pred[train] == y[train])),
                tuple(losses), secs)
    return FineTuned(head=head, block=tail.block_state(),
                     heldout=float(np.mean(pred[held] == y[held])) if held.any() else None,
                     frozen_heldout=frozen_heldout, n_train=int(train.sum()), n_heldout=int(held.sum()),
                     epochs=done_epochs, steps=steps, total_steps=total, stopped_by_time=stopped,
                     seconds=secs, losses=tuple(losses))


def finetuned_predict(loaded: LoadedModel, tuned: FineTuned, images: Sequence) -> np.ndarray:
    """The fine-tuned network's probabilities for new images, (N, K): the shared model up to
    pool4 (walked), then the private block and the head."""
    pool4, _feats = _pool4_and_features(loaded, images, tuned.head.layer)
    with torch.no_grad():
        return torch.softmax(_tail_of(loaded, tuned)(pool4), 1).cpu().numpy()


def finetuned_predict_from_analysis(loaded: LoadedModel, tuned: FineTuned, analysis: Analysis) -> np.ndarray:
    """The same for an image already analysed: from its cached pool4 map (kept as float32)."""
    pool4 = torch.from_numpy(np.array(analysis.activation(LAST_BLOCK_INPUT), dtype=np.float32))[None].to(loaded.device)
    with torch.no_grad():
        return torch.softmax(_tail_of(loaded, tuned)(pool4), 1).cpu().numpy()
