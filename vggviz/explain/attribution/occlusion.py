"""Occlusion sensitivity (Zeiler & Fergus 2014): many plain forward passes, no gradients, no hooks.

Batches of 16 occluded images run under ``torch.inference_mode``, each batch holding the model's
lock, which is released between batches so one long occlusion does not keep other sessions
waiting. :func:`occlusion_map` is captum's ``Occlusion`` (the tests check they agree), batched
and with progress; :func:`occlusion` runs it on the shared model for an analysed image.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

from vggviz.explain.attribution.chain import check_target, class_label
from vggviz.i18n import _
from vggviz.model.weights import LoadedModel

if TYPE_CHECKING:
    from vggviz.inference.analysis import Analysis

__all__ = ["OCCLUSION_BASELINES", "OcclusionMap", "occlusion", "occlusion_map", "occlusion_defaults",
           "occlusion_passes", "check_window"]

OCCLUSION_BASELINES = ("mean", "black")


def occlusion_defaults(size: int) -> tuple[int, int]:
    """The default (patch, stride) for an input of ``size`` px: patch = size/7 rounded (32 px at
    224, a cell of VGG's 7×7 pool5 grid; 9 at the mini family's 64), stride = half the patch
    (16 and 4), so every pixel is covered by up to four patches."""
    patch = max(1, round(int(size) / 7))
    return patch, max(1, patch // 2)


def _starts(size: int, patch: int, stride: int) -> list[int]:
    """Where the patch starts along one axis: 0, stride, 2·stride, … until it reaches the edge;
    ceil((size − patch) / stride) + 1 positions, the last one cut off by the edge when
    ``stride`` does not divide ``size − patch`` (as captum's ``Occlusion`` does)."""
    n = -(-(size - patch) // stride) + 1
    return [i * stride for i in range(n)]


def check_window(height: int, width: int, patch, stride) -> tuple[int, int]:
    side = min(int(height), int(width))

    def whole(v) -> bool:
        return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))

    if not whole(patch) or not 1 <= int(patch) <= side:
        raise ValueError(_("occlusion patch must be a whole number of pixels from 1 to {side}, got {patch}").format(
            side=side, patch=repr(patch)))
    if not whole(stride) or not 1 <= int(stride) <= int(patch):
        raise ValueError(_("occlusion stride must be a whole number of pixels from 1 to the patch size "
                           "({patch}), got {stride}").format(patch=int(patch), stride=repr(stride)))
    return int(patch), int(stride)


def occlusion_passes(size: int, patch: int, stride: int) -> int:
    """Forward passes :func:`occlusion` makes on a ``size``×``size`` input: one per patch
    position, plus one for the unoccluded image (169 + 1 for 32/16 at 224 px)."""
    patch, stride = check_window(size, size, patch, stride)
    return len(_starts(int(size), patch, stride)) ** 2 + 1


def occlusion_map(
    forward_fn: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    target: int,
    patch: int,
    stride: int,
    baseline: float | torch.Tensor = 0.0,
    batch: int = 16,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, float]:
    """The occlusion map of ``x`` (1, C, H, W) for output column ``target`` of ``forward_fn``
    ((n, C, H, W) → (n, outputs)), and the unoccluded score.

    For each position of a ``patch``×``patch`` square (all channels, stepped by ``stride``,
    see :func:`_starts`) the square is set to ``baseline`` (a number, or a tensor that
    broadcasts to (1, C, 1, 1)) and ``drop = score(x) − score(occluded x)`` is recorded; each
    pixel gets the mean drop of the squares that cover it. This is captum's
    ``Occlusion(...).attribute(x, sliding_window_shapes=(C, patch, patch), strides=(C, stride,
    stride), baselines=baseline)`` (the tests check they agree), with the passes batched
    ``batch`` at a time (the unoccluded image goes in the first batch) and
    ``progress(done, total)`` called before the first batch and after each, counting images.

    Returns ``(map, score)``: the (H, W) float32 map, signed (negative where hiding the square
    raises the score), and the unoccluded score.
    """
    if x.dim() != 4 or x.shape[0] != 1:
        raise ValueError(f"occlusion needs one image, a (1, C, H, W) tensor; got {tuple(x.shape)}")
    if isinstance(batch, bool) or int(batch) < 1:
        raise ValueError(f"occlusion batch must be at least 1, got {batch!r}")
    height, width = int(x.shape[-2]), int(x.shape[-1])
    patch, stride = check_window(height, width, patch, stride)
    windows = [(y, xx) for y in _starts(height, patch, stride) for xx in _starts(width, patch, stride)]
    fill = torch.as_tensor(baseline, dtype=x.dtype, device=x.device)
    fill = fill.reshape(-1, 1, 1) if fill.dim() else fill          # (C, 1, 1) or a scalar
    total = len(windows) + 1
    scores = torch.empty(total, dtype=torch.float64)
    done = 0
    if progress:
        progress(0, total)
    while done < total:
        n = min(int(batch), total - done)
        xb = x.detach().expand(n, -1, -1, -1).clone()
        for k in range(n):
            i = done + k - 1                                        # item 0 of the first batch: unoccluded
            if i >= 0:
                y, xx = windows[i]
                xb[k, :, y:y + patch, xx:xx + patch] = fill
        out = forward_fn(xb)
        scores[done:done + n] = out[:, target].detach().double().cpu()
        done += n
        if progress:
            progress(done, total)
    drops = (scores[0] - scores[1:]).numpy()
    acc = np.zeros((height, width), np.float64)
    cover = np.zeros((height, width), np.float64)
    for (y, xx), d in zip(windows, drops):
        acc[y:y + patch, xx:xx + patch] += d
        cover[y:y + patch, xx:xx + patch] += 1.0
    return (acc / cover).astype(np.float32), float(scores[0])


@dataclass(frozen=True, eq=False)
class OcclusionMap:
    """One occlusion map (:func:`occlusion`) and what it is of.

    ``raw`` is the signed (S, S) map over the input crop in logit units: the mean drop of the
    class logit over the patches covering each pixel (negative: hiding there *raises* the
    score). ``crop_map`` is what the compare grid shows, in [0, 1]: the positive part divided
    by its maximum (negatives become 0, like Grad-CAM's ReLU; all zero when no patch lowers the
    score: see ``raw_max``/``raw_min``).
    """

    target: int
    label: str
    patch: int
    stride: int
    baseline: str
    score: float                  # the unoccluded logit
    raw: np.ndarray
    crop_map: np.ndarray
    passes: int
    seconds: float

    @property
    def raw_max(self) -> float:
        return float(self.raw.max())

    @property
    def raw_min(self) -> float:
        return float(self.raw.min())


def occlusion(
    loaded: LoadedModel,
    analysis: Analysis,
    target: int | None = None,
    patch: int | None = None,
    stride: int | None = None,
    baseline: str = "mean",
    batch: int = 16,
    progress: Callable[[int, int], None] | None = None,
) -> OcclusionMap:
    """Occlusion sensitivity (Zeiler & Fergus 2014) of class ``target`` (default: top-1) on the
    analysed image: :func:`occlusion_map` with the whole model as ``forward_fn``.

    The score is the class **logit** (before the softmax), as for Grad-CAM: a probability near
    1 hardly moves until the evidence is nearly gone (softmax saturates), and it also drops when
    another class merely rises; the logit measures the class's own evidence.

    ``baseline`` "mean" fills the patch with the dataset-mean colour (zero after normalisation;
    a grey), "black" with black. ``patch``/``stride`` default to :func:`occlusion_defaults`
    (32/16 at 224 px: 170 forward passes; 9/4 at the mini family's 64 px: 226). No gradients:
    each batch runs under ``torch.inference_mode`` holding the model's lock, which is released
    between batches so a long occlusion does not keep other sessions' Grad-CAM waiting; nothing
    on the model is hooked or changed.

    Raises ValueError (one line) for a patch or stride that is not a whole number with
    1 ≤ stride ≤ patch ≤ S, or an unknown baseline; :class:`UnknownTargetError` for a bad class.
    """
    target = check_target(loaded, analysis, target)
    x = analysis.preprocessed.tensor.to(loaded.device, torch.float32)
    size = int(x.shape[-1])
    d_patch, d_stride = occlusion_defaults(size)
    if patch is None:
        patch, stride = d_patch, d_stride if stride is None else stride
    elif stride is None:                      # half the given patch (a bad patch is reported below)
        stride = max(1, int(patch) // 2) if isinstance(patch, (int, np.integer)) else 1
    patch, stride = check_window(x.shape[-2], x.shape[-1], patch, stride)
    if baseline == "mean":
        fill = torch.zeros(())
    elif baseline == "black":
        mean = torch.tensor(loaded.transforms.mean, dtype=torch.float32)
        std = torch.tensor(loaded.transforms.std, dtype=torch.float32)
        fill = -mean / std
    else:
        raise ValueError(f"occlusion baseline must be one of {', '.join(OCCLUSION_BASELINES)}, got {baseline!r}")
    model = loaded.model

    def forward(xb: torch.Tensor) -> torch.Tensor:
        with loaded.lock, torch.inference_mode():
            return model(xb)

    t0 = time.perf_counter()
    raw, score = occlusion_map(forward, x, target, patch, stride, fill.to(x.device), batch, progress)
    seconds = time.perf_counter() - t0
    peak = float(raw.max())
    crop = np.clip(raw / peak, 0.0, 1.0).astype(np.float32) if peak > 0 else np.zeros_like(raw)
    raw.setflags(write=False)
    crop.setflags(write=False)
    return OcclusionMap(target=target, label=class_label(loaded, target), patch=patch, stride=stride,
                        baseline=baseline, score=score, raw=raw, crop_map=crop,
                        passes=occlusion_passes(size, patch, stride), seconds=seconds)

