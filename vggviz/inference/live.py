"""Live input: a drawing from a canvas, or a camera frame, through the current model (no streamlit).

* :func:`drawing_to_image` turns a canvas's RGBA pixels into the RGB picture the network is
  given: the strokes on white, cropped to the drawing and padded so that it fills the frame the
  way the training shapes fill theirs (:data:`FILL`), or a :class:`DrawingError` with one line
  for an empty canvas or a drawing that is only a dot.
* :func:`live_results` runs a picture through the model with the app's own code: one
  :func:`vggviz.inference.analysis.analyze` pass (top-1, top-5, every feature map; hook-free, so the
  shared model is safe) and :func:`vggviz.explain.attribution.gradcam` of the top class on the
  analysis's activation (a private chain tail, no hook, no lock). It returns plain data:
  the predictions, a strip of feature maps per layer (:func:`feature_strip`) and the Grad-CAM
  overlay on the picture.
* :class:`LiveCamera` is the camera's side: each frame (an RGB array from any thread) goes
  through :func:`live_results` and comes back annotated (:func:`annotate_frame`: the Grad-CAM
  overlay on the live picture, the top-1 class, the frames per second and one layer's maps);
  frames that arrive while one is being processed are dropped by the caller, and while the
  server says it is busy (other students' first results queued) the camera skips the model
  (:attr:`LiveStats.busy`) instead of adding to the queue.

Example::

    from vggviz.model.weights import load_model
    loaded = load_model("vgg16_mini", "shapes", "cpu")
    drawn = drawing_to_image(canvas_rgba)                 # (H, W, 4) uint8
    res = live_results(loaded, drawn.image)
    res.top[0].label, res.strips["relu1_2"].size, res.overlay.size
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from vggviz.errors import VggvizError
from vggviz.explain.attribution import default_layer, gradcam
from vggviz.explain.attribution.cam import CamResult
from vggviz.figures.maps import channel_order, colorize, overlay
from vggviz.i18n import N_, Text
from vggviz.inference.analysis import Analysis, Prediction, analyze
from vggviz.model.layers import block_ends, find_layer, named_layers
from vggviz.model.weights import LoadedModel

__all__ = [
    "DrawingError", "Drawing", "LiveResult", "LiveStats", "LiveCamera",
    "drawing_to_image", "live_results", "default_map_layers", "feature_strip", "annotate_frame",
    "OUT_SIZE", "FILL", "INK_LEVEL", "DOT_FRACTION", "STRIP_CHANNELS", "FRAME_SIDE",
]

OUT_SIZE = 256          # the drawing's picture: the mini family reads it at 64 px, full-size VGGs crop 224 of 256
FILL = 0.6              # the drawing's longer side against the picture's (training shapes: 0.25–0.67, mean 0.46)
INK_LEVEL = 64          # a pixel is ink when its darkest channel is this far below white (0..255)
DOT_FRACTION = 0.08     # a drawing whose longer side is under this share of the canvas's shorter side is a dot
STRIP_CHANNELS = 8      # channels in a feature-map strip: the most active ones
STRIP_TILE = 48         # px per channel in a strip
FRAME_SIDE = 480        # a camera frame is annotated (and sent back) at most this long: the overlay costs per pixel

EMPTY = N_("Draw something first: the canvas is empty.")
DOT = N_("That is only a dot: draw a shape across at least {pct}% of the canvas.")


class DrawingError(VggvizError):
    """A canvas the network cannot be asked about (empty, only a dot); one line (a Text)."""


@dataclass(frozen=True, eq=False)
class Drawing:
    image: Image.Image                      # RGB, OUT_SIZE × OUT_SIZE, the strokes on white
    box: tuple[int, int, int, int]          # the drawing's (left, top, right, bottom) in canvas pixels
    extent: float                           # its longer side against the canvas's shorter side


def _on_white(rgba: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8: an RGBA (or RGB) canvas composited onto white (transparent = white)."""
    a = np.asarray(rgba)
    if a.ndim != 3 or a.shape[2] not in (3, 4) or 0 in a.shape[:2]:
        raise ValueError(f"a canvas is an (H, W, 4) RGBA array, got shape {a.shape}")
    rgb = a[..., :3].astype(np.uint8, copy=False)
    if a.shape[2] == 3 or bool((a[..., 3] == 255).all()):
        return rgb
    alpha = a[..., 3:4].astype(np.uint16)
    return ((rgb.astype(np.uint16) * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)


def drawing_to_image(rgba: np.ndarray, out_size: int = OUT_SIZE, fill: float = FILL) -> Drawing:
    """The canvas's drawing as the picture the network is given: strokes (any colour darker than
    white by :data:`INK_LEVEL`; white strokes are the eraser's) on white, cropped to the drawing's
    box, centred on a square whose side is the box's longer side / ``fill``, resized to
    ``out_size``. :class:`DrawingError` (one line) for an empty canvas or a dot (longer side under
    :data:`DOT_FRACTION` of the canvas)."""
    rgb = _on_white(rgba)
    ink = (255 - rgb.min(axis=2)) >= INK_LEVEL
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        raise DrawingError(Text(EMPTY))
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    side = max(bottom - top, right - left)
    extent = side / min(rgb.shape[:2])
    if extent < DOT_FRACTION:
        raise DrawingError(Text(DOT, pct=f"{100 * DOT_FRACTION:.0f}"))
    frame = int(np.ceil(side / fill))
    square = np.full((frame, frame, 3), 255, dtype=np.uint8)
    y0, x0 = (frame - (bottom - top)) // 2, (frame - (right - left)) // 2
    square[y0:y0 + bottom - top, x0:x0 + right - left] = rgb[top:bottom, left:right]
    pic = Image.fromarray(square, "RGB")
    if frame != out_size:
        pic = pic.resize((out_size, out_size), Image.Resampling.LANCZOS if frame > out_size else Image.Resampling.BICUBIC)
    return Drawing(image=pic, box=(left, top, right, bottom), extent=float(extent))


# --------------------------------------------------------------------------- a picture through the model


@dataclass(frozen=True, eq=False)
class LiveResult:
    """One picture through the model: what the Draw page and the camera show."""

    analysis: Analysis
    cam: CamResult                         # Grad-CAM of the top class
    strips: dict[str, Image.Image]       # layer -> its most active channels side by side
    strip_channels: dict[str, np.ndarray]  # layer -> the channel shown in each tile
    overlay: Image.Image                 # the network's input (the crop) with the Grad-CAM over it
    seconds: float                       # the whole of it: forward pass, Grad-CAM, pictures

    @property
    def top(self) -> list[Prediction]:
        return self.analysis.top

    @property
    def seen(self) -> Image.Image:
        """The input as the network sees it (after resizing and cropping, before normalising)."""
        return self.analysis.preprocessed.stages["cropped"]


def default_map_layers(loaded: LoadedModel) -> list[str]:
    """One early and one deep layer: the end of block 1 (its last ReLU) and the ReLU after
    Grad-CAM's default conv (relu1_2 and relu5_3 for VGG16, relu1_2 and relu4_3 for the mini
    VGG16)."""
    layers = named_layers(loaded.model)
    early = block_ends(layers)[0].name
    deep_conv = find_layer(layers, default_layer(loaded))
    deep = next((l.name for l in layers[deep_conv.index + 1:] if l.kind == "relu"), deep_conv.name)
    return [early] if deep == early else [early, deep]


def feature_strip(acts: np.ndarray, n: int = STRIP_CHANNELS, tile: int = STRIP_TILE,
                  cmap: str = "viridis") -> tuple[Image.Image, np.ndarray]:
    """A layer's ``n`` most active channels (by mean, :func:`vggviz.figures.maps.channel_order`) side by
    side, each stretched over the colormap and enlarged to ``tile`` px (nearest neighbour), with a
    white line between; and the channel of each tile."""
    acts = np.asarray(acts, dtype=np.float32)
    if acts.ndim != 3 or 0 in acts.shape:
        raise ValueError(f"feature_strip expects a non-empty (C, H, W) array, got shape {acts.shape}")
    chosen = channel_order(acts, "mean")[:max(1, int(n))]
    h, w = acts.shape[1:]
    tw = max(1, round(tile * w / h))
    sep = 2
    strip = Image.new("RGB", (len(chosen) * (tw + sep) - sep, tile), (255, 255, 255))
    for i, c in enumerate(chosen):
        pic = Image.fromarray(colorize(acts[c], cmap)).resize((tw, tile), Image.Resampling.NEAREST)
        strip.paste(pic, (i * (tw + sep), 0))
    return strip, chosen


def live_results(loaded: LoadedModel, image: Image.Image, map_layers: Sequence[str] | None = None,
                 cam_layer: str | None = None, topk: int = 5, channels: int = STRIP_CHANNELS,
                 alpha: float = 0.5) -> LiveResult:
    """``image`` (PIL) through ``loaded``: :func:`vggviz.inference.analysis.analyze` (top-``topk``, every
    map), a strip of the most active channels of each of ``map_layers`` (default:
    :func:`default_map_layers`) and Grad-CAM of the top class at ``cam_layer`` (default:
    Grad-CAM's own, :func:`vggviz.explain.attribution.default_layer`) over the network's input.
    Hook-free and lock-free: safe on the shared model from any thread."""
    t0 = time.perf_counter()
    res = analyze(loaded, image, topk=topk)
    cam = gradcam(loaded, res, cam_layer)
    strips, shown = {}, {}
    for name in map_layers or default_map_layers(loaded):
        strips[name], shown[name] = feature_strip(res.activation(name), channels)
    seen = res.preprocessed.stages["cropped"]
    over = overlay(seen, cam.crop_map, alpha=alpha)          # the crop map is at the input's size
    return LiveResult(analysis=res, cam=cam, strips=strips, strip_channels=shown, overlay=over,
                      seconds=time.perf_counter() - t0)


# --------------------------------------------------------------------------- the camera


@lru_cache(maxsize=8)
def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:              # Pillow without FreeType: the bitmap font
        return ImageFont.load_default()


def annotate_frame(frame: Image.Image, result: LiveResult, fps: float | None, label: str | None = None,
                   strip_layer: str | None = None, alpha: float = 0.45, max_side: int = FRAME_SIDE) -> Image.Image:
    """The live picture with what the network made of it: the Grad-CAM of the top class over the
    part the network saw (the centre crop, outlined; the rest dimmed), the top-1 class and its
    probability, the frames per second, and the strip of ``strip_layer``'s maps (default: the
    result's deepest) along the bottom. ``label``: the class name to write (default: the model's
    own name; the frame's font has Latin letters only). A frame longer than ``max_side`` is
    reduced to it first (the browser scales the video to its box anyway)."""
    pre = result.analysis.preprocessed
    box = pre.crop_box
    if max(frame.size) > max_side:
        k = max_side / max(frame.size)
        frame = frame.resize((max(1, round(frame.width * k)), max(1, round(frame.height * k))), Image.Resampling.BILINEAR)
        box = tuple(v * k for v in box)
    heat = result.cam.image_map(box, frame.size)
    out = overlay(frame, heat, alpha=alpha, crop_box=box)
    draw = ImageDraw.Draw(out)
    w, h = out.size
    size = max(12, h // 20)
    top = result.top[0]
    text = f"{label or top.label}  {100 * top.prob:.0f}%" + (f"   {fps:.1f} fps" if fps is not None else "")
    font = _font(size)
    box = draw.textbbox((0, 0), text, font=font)
    draw.rectangle([0, 0, box[2] + 2 * size // 2, box[3] + size // 2], fill=(0, 0, 0))
    draw.text((size // 2, size // 4), text, fill=(255, 255, 255), font=font)
    names = list(result.strips)
    if names:
        strip = result.strips[strip_layer if strip_layer in result.strips else names[-1]]
        target_w = min(w, max(1, w * 2 // 3))
        sh = max(1, round(strip.height * target_w / strip.width))
        if sh < h // 3:
            out.paste(strip.resize((target_w, sh), Image.Resampling.NEAREST), (0, h - sh))
    return out


@dataclass
class LiveStats:
    """What the camera did: frames it was given, ran, dropped and skipped, and its speed."""

    frames: int = 0            # frames processed through the model
    dropped: int = 0           # frames that arrived while another was processed (never queued)
    skipped: int = 0           # frames passed through unprocessed because the server was busy
    fps: float = 0.0           # processed frames per second over the last few seconds
    busy: bool = False         # the last frame was skipped for other students' first results
    error: str = ""            # the last failure, one line (a Text); "" when fine
    top: list[Prediction] = field(default_factory=list)
    last_at: float = 0.0       # time.monotonic() of the last processed frame


class LiveCamera:
    """Frames of one camera stream through ``loaded``; thread-safe.

    :meth:`process` is called from the stream's worker thread with the newest frame (the caller
    drops older ones and says how many with ``dropped``) and returns the annotated frame;
    :meth:`stats` is read by the page's thread. ``busy()`` says when the server has other work
    waiting (the page passes "first results are queued in the server's scheduler"; default: never);
    then the frame comes back as it was, so a camera never adds to a classroom's queue. The frames run on
    ``threads`` torch threads (default 1: one stream, one core; set in the calling thread only, the
    stream's own).
    """

    FPS_WINDOW_S = 3.0

    def __init__(self, loaded: LoadedModel, map_layers: Sequence[str] | None = None, cam_layer: str | None = None,
                 label_of: Callable[[Prediction], str] | None = None, busy: Callable[[], bool] | None = None,
                 clock: Callable[[], float] = time.monotonic, threads: int | None = 1) -> None:
        self.loaded = loaded
        self.threads = threads
        self.map_layers = list(map_layers or default_map_layers(loaded))[-1:]
        self.cam_layer = cam_layer
        self.label_of = label_of
        self.busy = busy if busy is not None else (lambda: False)
        self.clock = clock
        self._lock = threading.Lock()
        self._stats = LiveStats()
        self._times: deque[float] = deque()

    def stats(self) -> LiveStats:
        with self._lock:
            return LiveStats(**{**self._stats.__dict__, "top": list(self._stats.top)})

    def process(self, frame: np.ndarray, dropped: int = 0) -> np.ndarray:
        """One (H, W, 3) uint8 RGB frame → the annotated frame (at most :data:`FRAME_SIDE` long,
        :func:`annotate_frame`). Never raises for the model's failures: the frame comes back as it
        was and :attr:`LiveStats.error` says why."""
        with self._lock:
            self._stats.dropped += max(0, int(dropped))
        if self.busy():
            with self._lock:
                self._stats.skipped += 1
                self._stats.busy = True
            return frame
        pic = Image.fromarray(np.ascontiguousarray(frame[..., :3]), "RGB")
        if self.threads and torch.get_num_threads() != self.threads:
            torch.set_num_threads(self.threads)
        try:
            res = live_results(self.loaded, pic, self.map_layers, self.cam_layer)
        except (RuntimeError, ValueError, MemoryError) as e:     # torch errors (OOM included), bad layers
            with self._lock:
                self._stats.error = Text(N_("The camera's frame could not be analysed: {reason}"),
                                         reason=str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__)
            return frame
        now = self.clock()
        with self._lock:
            self._times.append(now)
            while self._times and now - self._times[0] > self.FPS_WINDOW_S:
                self._times.popleft()
            span = self._times[-1] - self._times[0]
            fps = (len(self._times) - 1) / span if len(self._times) > 1 and span > 0 else 0.0
            s = self._stats
            s.frames += 1
            s.fps, s.busy, s.error, s.top, s.last_at = fps, False, "", list(res.top), now
        label = self.label_of(res.top[0]) if self.label_of else None
        return np.asarray(annotate_frame(pic, res, fps or None, label=label))
