"""Pixel-level attribution methods: one registry, name → captum class, arguments, note, cost.

Each :class:`PixelMethod` says which captum class computes it (on a whole-network
:class:`~vggviz.explain.attribution.chain.Chain`, so hooks land on the chain's own ReLUs), with which
``attribute()`` arguments, what it shows (``note``) and what it costs (forward and backward passes
per map). The Grad-CAM page, the cache (:func:`vggviz.app.ui.current_compare_methods`), the CLI
(``gradcam --method``), the trust panel (:mod:`vggviz.explain.trust`) and the parametrised tests all read
:data:`PIXEL_METHODS`; adding a method is one entry here and its oracle test.

Maps for display take the largest |attribution| over the colour channels and are scaled so the
99.5th percentile is 1 (a few spikes would hide the rest); occlusion shows its positive part
(the score's drop) divided by its maximum.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from vggviz.explain.attribution.chain import Chain
from vggviz.i18n import N_

__all__ = ["PixelMethod", "PIXEL_METHODS", "PIXEL_CLIP_PERCENTILE", "pixel_map", "IG_STEPS",
           "SMOOTHGRAD_SAMPLES", "SMOOTHGRAD_NOISE"]

PIXEL_CLIP_PERCENTILE = 99.5
IG_STEPS = 16
SMOOTHGRAD_SAMPLES = 16
SMOOTHGRAD_NOISE = 0.15          # σ of the noise, as a fraction of the input's range (Smilkov et al.: 10–20 %)


def pixel_map(attr: torch.Tensor) -> np.ndarray:
    """(1, 3, S, S) signed attributions → (S, S) in [0, 1]: the largest |value| over the colour
    channels, scaled so the PIXEL_CLIP_PERCENTILE-th percentile is 1 (clipped above)."""
    m = attr.detach()[0].abs().amax(dim=0).float().cpu().numpy()
    scale = float(np.percentile(m, PIXEL_CLIP_PERCENTILE))
    if scale <= 0:
        scale = float(m.max())
    if scale <= 0:
        return np.zeros_like(m, dtype=np.float32)
    return np.clip(m / scale, 0.0, 1.0).astype(np.float32)


def _noise(x: torch.Tensor) -> float:
    return SMOOTHGRAD_NOISE * float(x.max() - x.min())


@dataclass(frozen=True)
class PixelMethod:
    """One pixel-level method.

    ``name`` (marked ``N_``: shown translated, used as a key everywhere), ``captum`` (the
    ``captum.attr`` class, also the tests' oracle), ``wrap`` (a captum wrapper around it, e.g.
    ``NoiseTunnel``), ``kwargs`` (``attribute()`` arguments; a callable value is called with the
    input), ``passes`` (forward and backward passes per map; None: set by its settings, see
    occlusion), ``times_cam`` (multiplied by the Grad-CAM map at the chosen layer, as Guided
    Grad-CAM is), ``default`` (shown as soon as methods are compared; the others are opted
    into one by one), ``seeded`` (draws random noise: seeded, so a map is the same every time).
    """

    name: str
    captum: str
    note: str
    passes: int | None = 1
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    wrap: str | None = None
    times_cam: bool = False
    default: bool = False
    seeded: bool = False

    def attribute(self, net: Chain, x: torch.Tensor, target: int, cam: np.ndarray | None = None,
                  seed: int = 0) -> torch.Tensor:
        """The (1, C, S, S) signed attributions of ``target`` for ``x`` through ``net`` (the caller
        holds the model's lock, or ``net`` is a private copy's chain). ``cam``: the (S, S)
        Grad-CAM crop map, for methods with ``times_cam``."""
        import captum.attr

        method = getattr(captum.attr, self.captum)(net)
        if self.wrap:
            method = getattr(captum.attr, self.wrap)(method)
        kwargs = {k: (v(x) if callable(v) else v) for k, v in self.kwargs.items()}
        leaf = x.detach().clone().requires_grad_(True)
        devices = [x.device.index or 0] if x.device.type == "cuda" else []
        try:
            with warnings.catch_warnings(), torch.random.fork_rng(devices=devices, enabled=self.seeded):
                # "Setting backward hooks on ReLU activations": on the chain's own ReLUs
                warnings.filterwarnings("ignore", message="Setting backward hooks", category=UserWarning)
                if self.seeded:
                    torch.manual_seed(int(seed))
                attr = method.attribute(leaf, target=target, **kwargs)
        finally:
            del method
        if self.times_cam:
            attr = attr * torch.from_numpy(np.asarray(cam, np.float32)).to(attr.device)
        return attr


PIXEL_METHODS: dict[str, PixelMethod] = {m.name: m for m in (
    PixelMethod(
        N_("Guided Grad-CAM"), "GuidedBackprop", times_cam=True, default=True,
        note=N_("Guided backpropagation (gradients with negative values stopped at every ReLU) multiplied "
                "by the Grad-CAM map: pixel-sharp edges, restricted to where Grad-CAM looks. Guided backprop "
                "alone looks almost the same for every class; the Grad-CAM factor is what makes it "
                "class-specific."),
    ),
    PixelMethod(
        N_("Saliency"), "Saliency", kwargs={"abs": True}, default=True,
        note=N_("|∂score/∂pixel|, the plain gradient (Simonyan et al. 2014): which pixels would change the "
                "score most if nudged. Noisy and fine-grained."),
    ),
    PixelMethod(
        N_("Integrated Gradients"), "IntegratedGradients", passes=IG_STEPS,
        kwargs={"n_steps": IG_STEPS, "internal_batch_size": 8},
        note=N_("Gradients averaged along a straight path from a baseline (the mean colour) to the image, "
                "times the difference: the attributions add up to the score difference. Costs one forward "
                "and backward pass per step."),
    ),
    PixelMethod(
        N_("SmoothGrad"), "Saliency", wrap="NoiseTunnel", passes=SMOOTHGRAD_SAMPLES, seeded=True,
        kwargs={"nt_type": "smoothgrad", "nt_samples": SMOOTHGRAD_SAMPLES, "nt_samples_batch_size": 8,
                "stdevs": _noise, "abs": True},
        note=N_("Saliency averaged over 16 copies of the image with Gaussian noise added (σ = 15 % of the "
                "input's range; Smilkov et al. 2017): the noise of the plain gradient averages out and "
                "the object's outline remains. Costs one forward and backward pass per copy."),
    ),
    PixelMethod(
        N_("Guided Backprop"), "GuidedBackprop",
        note=N_("Guided backpropagation alone (Springenberg et al. 2015): sharp edges of the whole image, "
                "much the same for every class and, as the randomisation check shows, even for a network "
                "whose classifier is random."),
    ),
    PixelMethod(
        N_("Occlusion"), "Occlusion", passes=None,
        note=N_("How much the class score (the logit) drops when a mean-colour (grey) square hides each "
                "place (Zeiler & Fergus 2014), averaged over the squares covering each pixel: a direct test, "
                "no gradients. The grey square is itself unlike any training image (the drop can come from "
                "the square, not from what it hides), one square hides only one part of a redundant object, "
                "and the map is no finer than the stride."),
    ),
)}
OCCLUSION = "Occlusion"          # the one method that runs forward passes only, with its own settings

Progress = Callable[[int, int], None]
