"""Grad-CAM for a new class: the frozen network (or the fine-tuned block) after the chosen layer,
then the student's head, through a private chain; the gradient by ``torch.autograd.grad``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch

from vggviz.explain.attribution import CamResult, Chain, default_layer
from vggviz.explain.attribution.cam import GradCAM, normalise
from vggviz.i18n import _
from vggviz.lab.transfer.finetune import FineTuned, _tail_of
from vggviz.lab.transfer.head import _READ_AT, Head, TransferError
from vggviz.model.layers import LAST_BLOCK_INPUT, UnknownLayerError, named_layers
from vggviz.model.weights import LoadedModel

if TYPE_CHECKING:
    from vggviz.inference.analysis import Analysis

__all__ = ["gradcam"]


def gradcam(loaded: LoadedModel, head: Head, analysis: Analysis, target: int, layer: str | None = None,
            tuned: FineTuned | None = None) -> CamResult:
    """Grad-CAM of the student's class ``target`` at ``layer`` (default: the Grad-CAM page's
    default, the last conv with a map ≥ 8×8) for an analysed image: the frozen network after
    ``layer`` up to the feature layer, then the head, through a private :class:`Chain` (own
    ReLUs, no hooks); the gradient by ``torch.autograd.grad``. The shared model is unchanged.
    ``tuned``: through the fine-tuned block and its head instead (``head`` is then ignored)."""
    if tuned is not None:
        return _gradcam_tuned(loaded, tuned, analysis, target, layer)
    layers, lay = _checked(loaded, head, target, layer)
    stop = next(l.index for l in layers if l.name == _READ_AT[head.layer])
    act = torch.from_numpy(np.array(analysis.activation(lay.name), dtype=np.float32))[None].to(loaded.device)
    act.requires_grad_(True)
    w = torch.from_numpy(head.weight).to(loaded.device)
    b = torch.from_numpy(head.bias).to(loaded.device)
    with loaded.lock, torch.inference_mode(False), torch.enable_grad():
        tail = Chain(layers[: stop + 1], lay.index + 1)
        feat = torch.flatten(tail(act), 1)
        logits = feat @ w.T + b
        prob = float(torch.softmax(logits.detach(), 1)[0, int(target)])
        (g,) = torch.autograd.grad(logits[0, int(target)], act)
    return _cam_result(lay, target, head.classes[int(target)], prob, g, act, analysis)


def _checked(loaded: LoadedModel, head, target: int, layer: str | None):
    """The model's layers and the Grad-CAM layer, after checking ``target`` against the head's
    classes and ``layer`` (default: the model's usual one) against the conv blocks."""
    if not 0 <= int(target) < len(head.classes):
        raise TransferError(_("target must be a class index from 0 to {last}").format(last=len(head.classes) - 1))
    layers = named_layers(loaded.model)
    name = layer or default_layer(loaded)
    lay = next((l for l in layers if l.name == name), None)
    if lay is None or not lay.in_conv_blocks:
        raise UnknownLayerError(_("layer {name!r} has no spatial map for Grad-CAM").format(name=name))
    return layers, lay


def _cam_result(lay, target: int, label: str, prob: float, g: torch.Tensor, act: torch.Tensor, analysis) -> CamResult:
    """The Grad-CAM of a new head: the same formula as the Grad-CAM page (the CAM base class)."""
    raw = GradCAM().combine(act.detach(), g)
    layer_map, crop_map, peak = normalise(raw, tuple(analysis.preprocessed.tensor.shape[-2:]))
    return CamResult(layer=lay.name, target=int(target), label=label, prob=prob,
                   layer_map=layer_map, crop_map=crop_map, raw_max=peak)


def _gradcam_tuned(loaded: LoadedModel, tuned: FineTuned, analysis, target: int, layer: str | None) -> CamResult:
    """Grad-CAM through the fine-tuned block: a layer before conv5 is read from the analysis
    (those layers are the shared model's) and goes on through the shared layers up to pool4
    (a :class:`Chain`, under the lock) and then the private tail; a layer inside the last
    block is recomputed by the private block from the analysis's pool4."""
    head = tuned.head
    layers, lay = _checked(loaded, head, target, layer)
    p4 = next(l.index for l in layers if l.name == LAST_BLOCK_INPUT)
    tail = _tail_of(loaded, tuned)

    def read(n):
        return torch.from_numpy(np.array(analysis.activation(n), dtype=np.float32))[None].to(loaded.device)

    with torch.inference_mode(False), torch.enable_grad():
        if lay.index < p4:
            act = read(lay.name).requires_grad_(True)
            with loaded.lock:
                logits = tail(Chain(layers[: p4 + 1], lay.index + 1)(act))
        else:
            if lay.index == p4:
                act = read(LAST_BLOCK_INPUT)
            else:
                with torch.no_grad():
                    act = tail.run(read(LAST_BLOCK_INPUT), until=lay.name)
            act = act.detach().requires_grad_(True)
            logits = tail.logits(tail.run(act, after=lay.name if lay.index > p4 else None))
        prob = float(torch.softmax(logits.detach(), 1)[0, int(target)])
        (g,) = torch.autograd.grad(logits[0, int(target)], act)
    return _cam_result(lay, target, head.classes[int(target)], prob, g, act, analysis)
