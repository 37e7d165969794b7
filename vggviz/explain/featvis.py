"""Feature visualisation: an image optimised to make one channel (or one unit) fire.

Activation maximisation (Erhan et al. 2009; Simonyan et al. 2014) with the regularisers that
make the result readable, as Lucid and OpenAI Microscope use them (Olah et al., "Feature
Visualization", Distill 2017):

* **a decorrelated Fourier parameterisation**: the image is the inverse FFT of a spectrum
  whose frequencies are scaled by 1/f (so that all frequencies learn at a natural-image
  rate) in a decorrelated colour space (Lucid's ImageNet colour-correlation matrix), squashed
  into [0, 1] by a sigmoid. Plain pixel ascent gives high-frequency static instead;
* **transformation robustness**: every step sees the image padded, jittered, slightly
  scaled and rotated, so the pattern must work wherever it sits, not in one pixel grid;
* **a total-variation penalty** (Mahendran & Vedaldi 2015) on the [0, 1] image.

The objective is the channel's mean over its map (or one unit's value) at the chosen layer;
for a ReLU or a pool it is taken before the ReLU (the conv or BN output, max-pooled for a
pool: the max commutes with the ReLU), since a unit the ReLU has switched off passes no
gradient. What is reported is the
chosen layer's own value, on the finished image fed back through the network without
transformations, next to what uniform noise gives.

The run never touches the shared model: the layers up to the objective are deep-copied
(ReLUs out of place, every parameter frozen, eval mode), so no lock is held, no hook is
registered and other sessions' forward passes go on. A gallery optimises N channels at once,
one image per channel, in one batch.

Longer than 400 lines on purpose: one optimisation (parameterisation, transforms, objective,
the private copy of the layers) whose parts only make sense together.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from vggviz.errors import VggvizError
from vggviz.i18n import _
from vggviz.model.layers import Layer, named_layers

if TYPE_CHECKING:
    from vggviz.model.weights import LoadedModel

__all__ = ["FeatureVis", "Settings", "default_settings", "visualize", "objective_layer", "noise_activation",
           "layer_activation", "visual_layers", "layer_shape", "VisualisationError", "DEFAULT_STEPS", "MINI_STEPS"]

# Defaults sized to the budgets in benchmarks/bench_featvis.py (2 CPU cores): a full-size
# channel up to conv4_3 at 128 px in ≤ 60 s, a gallery of 16 in ≤ 3 min; the mini family in
# seconds.
DEFAULT_STEPS = 256          # full-size VGG, one channel (0.11 s a step at 128 px to conv4_3: ~30 s)
DEFAULT_SIZE = 128
GALLERY_STEPS = 96           # full-size VGG, N channels in one batch (16 at 96 px: ~1 s a step)
GALLERY_SIZE = 96
MINI_STEPS = 256             # the mini family: cheap steps (about 2 s for one channel)
_NOISE_SAMPLES = 8

# Lucid's square root of the colour-correlation matrix of ImageNet (columns: R, G, B),
# normalised so the largest column has norm 1 (lucid/optvis/param/color.py).
_COLOR_SQRT = torch.tensor([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
_COLOR = _COLOR_SQRT / _COLOR_SQRT.norm(dim=0).max()


class VisualisationError(VggvizError):
    """A layer, channel, unit or setting the model cannot take; the message is one line."""


@dataclass(frozen=True)
class Settings:
    """The knobs of one run (part of the cache key). Lengths are in pixels of the image side
    and scale with it."""

    steps: int = DEFAULT_STEPS
    size: int = 224
    seed: int = 0
    lr: float = 0.1
    tv: float = 0.05              # weight of the total-variation penalty (relative, see _loss)
    jitter: bool = True           # pad, jitter, scale and rotate every step
    decorrelate: bool = True      # Fourier + colour decorrelation; False: plain pixels


@dataclass(frozen=True, eq=False)
class FeatureVis:
    variant: str
    layer: str
    objective: str                   # the layer whose output is maximised (pre-ReLU for relu/pool)
    channels: tuple[int, ...]
    unit: tuple[int, int] | None     # (row, col) of the chosen layer, or None for the channel mean
    settings: Settings
    images: np.ndarray               # (N, S, S, 3) uint8
    activation: np.ndarray           # (N,) the chosen layer's value on each finished image
    start_activation: np.ndarray     # (N,) on the image the optimisation started from
    noise: np.ndarray                # (N,) mean over uniform-noise images
    history: np.ndarray              # (steps, N) the objective at every step
    seconds: float
    notes: tuple[str, ...] = field(default=())

    def image(self, i: int = 0) -> Image.Image:
        return Image.fromarray(self.images[i])

    def sheet(self, columns: int = 4) -> Image.Image:
        """All images in a grid (one image: itself), 2 px apart on white."""
        n, side = len(self.images), self.images.shape[1]
        if n == 1:
            return self.image(0)
        cols = min(columns, n)
        rows = -(-n // cols)
        out = Image.new("RGB", (cols * (side + 2) - 2, rows * (side + 2) - 2), "white")
        for i in range(n):
            out.paste(self.image(i), ((i % cols) * (side + 2), (i // cols) * (side + 2)))
        return out

    def ratio(self, i: int = 0) -> float | None:
        """Finished image's value over noise's, or None when noise gives ≤ 0 (a ReLU that noise
        leaves off)."""
        n = float(self.noise[i])
        return float(self.activation[i]) / n if n > 1e-9 else None

    def to_json(self, i: int = 0) -> dict:
        r = self.ratio(i)
        return {
            "variant": self.variant, "layer": self.layer, "objective": self.objective,
            "channel": int(self.channels[i]), "unit": list(self.unit) if self.unit else None,
            "size": self.settings.size, "steps": self.settings.steps, "seed": self.settings.seed,
            "activation": float(self.activation[i]), "start_activation": float(self.start_activation[i]),
            "noise_activation": float(self.noise[i]), "ratio": None if r is None else round(r, 3),
            "seconds": round(self.seconds, 2),
        }


def default_settings(loaded: LoadedModel, gallery: bool = False, **changes) -> Settings:
    """The defaults for this model: the mini family at its 64 px with many cheap steps; a
    full-size VGG at 128 px (96 for a gallery) with as many steps as the CPU budget allows."""
    if loaded.input_size <= 64:
        base = Settings(size=loaded.input_size, steps=MINI_STEPS)
    elif gallery:
        base = Settings(size=GALLERY_SIZE, steps=GALLERY_STEPS)
    else:
        base = Settings(size=DEFAULT_SIZE, steps=DEFAULT_STEPS)
    return replace(base, **changes)


# --------------------------------------------------------------------------- layers


def visual_layers(model: nn.Module) -> list[str]:
    """Layers a feature visualisation can target: every conv, BN, ReLU and pool of the
    convolutional part."""
    return [l.name for l in named_layers(model)
            if l.path.startswith("features") and l.kind in ("conv", "bn", "relu", "pool")]


def _find(layers: list[Layer], name: str) -> Layer:
    for l in layers:
        if l.name == name and l.path.startswith("features") and l.kind in ("conv", "bn", "relu", "pool"):
            return l
    names = [l.name for l in layers if l.path.startswith("features")]
    raise VisualisationError(_("{name} is not a conv, ReLU or pool layer of this network (choose one of {first} … {last})")
                     .format(name=repr(name), first=names[0], last=names[-1]))


def layer_shape(model: nn.Module, name: str, size: int) -> tuple[int, int, int]:
    """``(channels, height, width)`` of ``name``'s output for a ``size``×``size`` image."""
    layers = named_layers(model)
    target = _find(layers, name)
    side = size
    for l in layers[: target.index + 1]:
        if l.kind == "pool":
            side //= 2
    return _out_channels(layers, target), side, side


def objective_layer(model: nn.Module, name: str) -> str:
    """The layer whose output is maximised for ``name``: itself for a conv or BN, otherwise the
    last conv or BN before it (the same channels, before the ReLU)."""
    layers = named_layers(model)
    target = _find(layers, name)
    for l in reversed(layers[: target.index + 1]):
        if l.kind in ("conv", "bn"):
            return l.name
    raise VisualisationError(_("no conv before {name}").format(name=repr(name)))  # pragma: no cover - VGG starts with a conv


def _copy(model: nn.Module, layers: list[Layer], stop: int, device) -> nn.Sequential:
    """The layers up to ``stop`` as a private, frozen, eval-mode copy with out-of-place ReLUs."""
    mods = [copy.deepcopy(l.module) for l in layers[: stop + 1]]
    net = nn.Sequential(*mods).to(device).eval()
    for m in net.modules():
        if isinstance(m, nn.ReLU):
            m.inplace = False
    for p in net.parameters():
        p.requires_grad_(False)
    return net


# --------------------------------------------------------------------------- parameterisation


def _freqs(size: int) -> torch.Tensor:
    fy = torch.fft.fftfreq(size)[:, None]
    fx = torch.fft.rfftfreq(size)[None, :]
    return torch.sqrt(fx * fx + fy * fy)


class _Image(nn.Module):
    """N images of side S in [0, 1]: a decorrelated, 1/f-scaled spectrum (Lucid's
    ``fft_image`` + ``to_valid_rgb``), or plain pixels through a sigmoid."""

    def __init__(self, n: int, size: int, decorrelate: bool, gen: torch.Generator) -> None:
        super().__init__()
        self.size, self.decorrelate = size, decorrelate
        if decorrelate:
            f = _freqs(size)
            self.register_buffer("scale", (1.0 / torch.clamp(f, min=1.0 / size)) * size ** 0.5 / size)
            self.spectrum = nn.Parameter(0.01 * torch.randn(n, 3, size, size // 2 + 1, 2, generator=gen))
        else:
            self.pixels = nn.Parameter(0.01 * torch.randn(n, 3, size, size, generator=gen))

    def forward(self) -> torch.Tensor:
        if not self.decorrelate:
            return torch.sigmoid(self.pixels)
        spec = torch.view_as_complex(self.spectrum) * self.scale
        img = torch.fft.irfft2(spec, s=(self.size, self.size), norm="ortho") * self.size ** 0.5 / 4.0
        img = torch.einsum("nchw,dc->ndhw", img, _COLOR.to(img.device))
        return torch.sigmoid(img)


def _robust(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Lucid's standard transforms, scaled to the image side: pad (grey), jitter, random
    scale and rotation, jitter again; back to the original side."""
    n, _c, s, _s = x.shape
    unit = max(1, round(s / 56))                      # 4 px at 224, 1 px at 64
    pad = 3 * unit
    x = F.pad(x, (pad, pad, pad, pad), value=0.5)
    x = _jitter(x, 2 * unit, gen)
    scale = 1.0 + (int(torch.randint(0, 11, (1,), generator=gen)) - 5) / 50.0
    angle = math.radians(int(torch.randint(-10, 11, (1,), generator=gen)))
    cos, sin = math.cos(angle) / scale, math.sin(angle) / scale
    theta = torch.tensor([[cos, -sin, 0.0], [sin, cos, 0.0]], dtype=x.dtype, device=x.device)
    grid = F.affine_grid(theta.expand(n, 2, 3), list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, padding_mode="border", align_corners=False)
    x = _jitter(x, unit, gen)
    off = (x.shape[-1] - s) // 2
    return x[..., off: off + s, off: off + s]


def _jitter(x: torch.Tensor, d: int, gen: torch.Generator) -> torch.Tensor:
    dy, dx = (int(v) for v in torch.randint(-d, d + 1, (2,), generator=gen))
    return torch.roll(x, shifts=(dy, dx), dims=(2, 3))


def _tv(x: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference between neighbouring pixels, per image."""
    return ((x[..., 1:, :] - x[..., :-1, :]).abs().mean(dim=(1, 2, 3))
            + (x[..., :, 1:] - x[..., :, :-1]).abs().mean(dim=(1, 2, 3)))


# --------------------------------------------------------------------------- measuring


def _normaliser(loaded):
    t = loaded.transforms
    mean = torch.tensor(t.mean, dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(t.std, dtype=torch.float32).view(1, 3, 1, 1)
    return mean, std


def _values(out: torch.Tensor, channels: torch.Tensor, unit) -> torch.Tensor:
    """(N,) the channel mean (or one unit) of image i's own channel."""
    idx = torch.arange(out.shape[0], device=out.device)
    maps = out[idx, channels]                              # (N, H, W)
    if unit is None:
        return maps.mean(dim=(1, 2))
    r, c = unit
    return maps[:, r, c]


def layer_activation(loaded: LoadedModel, images01: torch.Tensor, layer: str, channels: Sequence[int],
                     unit: tuple[int, int] | None = None, net: nn.Module | None = None) -> np.ndarray:
    """The chosen layer's value (channel mean, or one unit) for images in [0, 1], (N, 3, S, S),
    image i measured on ``channels[i]``. On a private copy of the layers; no transforms."""
    layers = named_layers(loaded.model)
    target = _find(layers, layer)
    net = net if net is not None else _copy(loaded.model, layers, target.index, loaded.device)
    mean, std = _normaliser(loaded)
    with torch.inference_mode():
        x = (images01.to(loaded.device) - mean.to(loaded.device)) / std.to(loaded.device)
        out = net[: target.index + 1](x)
        _check_unit(out, unit, layer)
        ch = torch.as_tensor(list(channels), device=out.device)
        return _values(out, ch, unit).float().cpu().numpy()


def noise_activation(loaded: LoadedModel, layer: str, channels: Sequence[int], size: int, samples: int = _NOISE_SAMPLES,
                     seed: int = 0, unit=None, net: nn.Module | None = None) -> np.ndarray:
    """What uniform noise in [0, 1] gives the chosen layer, averaged over ``samples`` images,
    per channel in ``channels``."""
    gen = torch.Generator().manual_seed(seed + 7919)
    noise = torch.rand(samples, 3, size, size, generator=gen)
    vals = [layer_activation(loaded, noise, layer, [c] * samples, unit, net).mean() for c in channels]
    return np.asarray(vals, dtype=np.float32)


def _check_unit(out: torch.Tensor, unit, layer: str) -> None:
    if unit is None:
        return
    h, w = out.shape[-2:]
    r, c = unit
    if not (0 <= r < h and 0 <= c < w):
        raise VisualisationError(_("unit ({r}, {c}) is outside {layer}'s {h}×{w} map at this image size "
                           "(rows 0 … {last_row}, columns 0 … {last_col})").format(
            r=r, c=c, layer=layer, h=h, w=w, last_row=h - 1, last_col=w - 1))


# --------------------------------------------------------------------------- the run


def visualize(
    loaded: LoadedModel,
    layer: str,
    channels: int | Sequence[int],
    settings: Settings | None = None,
    unit: tuple[int, int] | None = None,
    progress: Callable[[int, int, np.ndarray | None], None] | None = None,
    preview_every: int = 0,
) -> FeatureVis:
    """Optimise one image per channel in ``channels`` (one batch) to maximise that channel's
    mean at ``layer`` (or its value at ``unit = (row, col)``).

    ``progress(step, steps, preview)`` is called after every step; ``preview`` is the
    current (N, S, S, 3) uint8 images every ``preview_every`` steps (and at the end), else None.
    For a unit, the image is not jittered (the pattern must sit on the unit's field), so only
    the Fourier parameterisation and the TV penalty regularise it.
    Raises :class:`VisualisationError` (one line) for an unknown layer, a channel out of range, a unit
    outside the map or a size the network cannot take.
    """
    s = settings or default_settings(loaded, gallery=not isinstance(channels, (int, np.integer)) and len(channels) > 1)
    chans = [int(channels)] if isinstance(channels, (int, np.integer)) else [int(c) for c in channels]
    if not chans:
        raise VisualisationError(_("choose at least one channel"))
    if s.size < 32 or s.size > 512:
        raise VisualisationError(_("image size {size} px is outside 32 … 512").format(size=s.size))
    if s.steps < 1 or s.steps > 4096:
        raise VisualisationError(_("{steps} steps is outside 1 … 4096").format(steps=s.steps))
    model = loaded.model
    layers = named_layers(model)
    target = _find(layers, layer)
    obj = next(l for l in layers if l.name == objective_layer(model, layer))
    width = _out_channels(layers, target)
    bad = [c for c in chans if not 0 <= c < width]
    if bad:
        raise VisualisationError(_("channel {channel} is out of range: {layer} has channels 0 … {last}").format(
            channel=bad[0], layer=layer, last=width - 1))

    t0 = time.perf_counter()
    device = loaded.device
    net = _copy(model, layers, target.index, device)      # private: nothing shared is touched
    mean, std = (t.to(device) for t in _normaliser(loaded))
    gen = torch.Generator().manual_seed(s.seed)
    param = _Image(len(chans), s.size, s.decorrelate, gen).to(device)
    ch = torch.as_tensor(chans, device=device)
    opt = torch.optim.Adam(param.parameters(), lr=s.lr)

    with torch.no_grad():
        start_img = param().detach().clone()
    start = layer_activation(loaded, start_img, layer, chans, unit, net)
    pools = [net[l.index] for l in layers[obj.index + 1: target.index + 1] if l.kind == "pool"]

    history = np.zeros((s.steps, len(chans)), dtype=np.float32)
    ref = None
    for step in range(s.steps):
        opt.zero_grad(set_to_none=True)
        img = param()
        # One unit: no transformations (they would move its pattern away from the unit's
        # field every step); the rest of the image, outside the field, stays grey.
        x = _robust(img, gen) if s.jitter and unit is None else img
        out = net[: obj.index + 1]((x - mean) / std)
        for pool in pools:            # max-pooling commutes with the ReLU: the layer's value before it
            out = pool(out)
        if step == 0:
            _check_unit(out, unit, target.name)
        vals = _values(out, ch, unit)
        if ref is None:       # the TV weight is relative to the objective's own scale
            ref = float(out.detach().std()) + 1e-6
        loss = (-vals / ref + s.tv * _tv(img) * 100.0).sum()
        loss.backward()
        opt.step()
        history[step] = vals.detach().float().cpu().numpy()
        if progress is not None:
            last = step == s.steps - 1
            show = last or (preview_every and (step + 1) % preview_every == 0)
            progress(step + 1, s.steps, _uint8(img.detach()) if show else None)

    with torch.no_grad():
        final = param().detach()
    act = layer_activation(loaded, final, layer, chans, unit, net)
    noise = noise_activation(loaded, layer, chans, s.size, seed=s.seed, unit=unit, net=net)
    notes = () if loaded.trained else (
        "Random weights: the picture shows what a random filter stack responds to (mostly "
        "colour and texture), not anything learned.",)
    return FeatureVis(
        variant=loaded.variant, layer=target.name, objective=obj.name, channels=tuple(chans), unit=unit,
        settings=s, images=_uint8(final), activation=act, start_activation=start, noise=noise,
        history=history, seconds=time.perf_counter() - t0, notes=notes,
    )


def _uint8(img01: torch.Tensor) -> np.ndarray:
    return (img01.clamp(0, 1) * 255 + 0.5).to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()


def _out_channels(layers: list[Layer], target: Layer) -> int:
    for l in reversed(layers[: target.index + 1]):
        if isinstance(l.module, nn.Conv2d):
            return l.module.out_channels
    raise VisualisationError(_("{layer} has no conv before it").format(layer=target.name))  # pragma: no cover
