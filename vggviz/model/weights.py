"""Where a model's weights come from, per the weights policy.

Sources: ``imagenet`` (torchvision's weights, downloaded once into torch's cache,
``TORCH_HOME``), ``shapes`` (the mini variants' checkpoints bundled in ``assets/models/``,
trained on :mod:`vggviz.data.shapes`; no network), a path to a local ``.pth`` state dict (loaded
with ``weights_only=True``; ``dir:NAME`` for a file in the teacher's ``VGGVIZ_WEIGHTS_DIR``), ``trained:ID`` (a model trained in this process, kept in memory
by :func:`keep_trained`), or ``random`` (seeded, the same every time).

A local checkpoint may be fine-tuned with its own classes: a plain state dict or
``{"state_dict": …, "classes": [names]}``, or a plain state dict with a sidecar
``NAME.classes.txt`` (one name per line) beside ``NAME.pth``. fc8 (``classifier.6``) is sized
from the checkpoint; names that disagree with its outputs are refused (:class:`WeightsError`). The default comes from
``VGGVIZ_WEIGHTS`` for the full-size variants and is ``shapes`` for the mini family.
When ImageNet weights cannot be had (offline, no cached file) :func:`load_model` falls back
to ``random`` within a few seconds and says so in :attr:`LoadedModel.note`.

Longer than 400 lines on purpose: every weights source (ImageNet download, bundled, trained,
teacher's folder, seeded random) and checkpoint checks; LoadedModel and its lock rule live
here.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn
from torchvision import models

from vggviz.errors import VggvizError
from vggviz.i18n import N_, Text
from vggviz.model.variants import build, canonical, variant_info

__all__ = [
    "LoadedModel",
    "WeightsError",
    "default_source",
    "load_model",
    "resolve_device",
    "imagenet_meta",
    "cached_path",
    "fetch_imagenet",
    "DOWNLOAD_TIMEOUT",
    "MODELS_DIR",
    "bundled_path",
    "weights_dir",
    "local_weight_files",
    "local_weight_path",
    "WEIGHTS_DIR_ENV",
    "keep_trained",
    "trained_models",
    "TRAINED_KEEP",
    "sidecar_path",
    "outputs",
]

DOWNLOAD_TIMEOUT = float(os.environ.get("VGGVIZ_DOWNLOAD_TIMEOUT", "5"))
Progress = Callable[[int, int], None]   # (bytes done, bytes total or 0)
MODELS_DIR = Path(__file__).resolve().parents[2] / "assets" / "models"
TRAINED_KEEP = 8                        # models trained in this process kept in memory


class WeightsError(VggvizError):
    """A weights source that cannot be used; the message is one line for the user (a
    :class:`~vggviz.i18n.Text`: ``str()`` gives it in the reader's language, since a failure
    may be remembered for every session)."""


@dataclass
class LoadedModel:
    """A ready-to-run model and what the pages need to know about it.

    One instance is shared by every session of a server (``st.cache_resource``). The lock rule,
    stated here once (docs/architecture.md says the same; every module of vggviz follows it):

    1. **Reading is free.** A forward pass (``layers.walk``, ``model(x)``, gradients with respect
       to an input or a cached activation) mutates nothing and needs no lock.
    2. **Anything that hooks or changes the model holds** ``lock`` for exactly as long as it does
       so (a hook, ReLUs out of in-place mode, ``requires_grad_``, ``train()``), inside a context
       manager that undoes it in ``finally``: hooks through their handles' ``remove()``, never by
       editing ``_forward_hooks``. Example: :func:`vggviz.explain.attribution.chain.attribution_mode`.
    3. **Anything that changes weights works on a private copy** (``copy.deepcopy`` of the part it
       needs: feature visualisation, the randomisation check, fine-tuning); the shared weights
       stay bit-identical.
    """

    variant: str
    model: nn.Module
    requested: str            # what was asked for: imagenet, random, or a path
    source: str               # what was used: imagenet, random, or file:NAME
    device: torch.device
    note: str = ""            # why the source differs from the request, or caveats (a Text: English
                              # as data, ``str()``/f-strings give the reader's language)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    classes: tuple[str, ...] | None = None   # the checkpoint's own class names, if it has them

    @property
    def trained(self) -> bool:
        return self.source != "random"

    @property
    def categories(self) -> list[str]:
        if self.classes is not None:
            return list(self.classes)
        return _default_categories(self.variant)

    @property
    def transforms(self):
        if variant_info(self.variant).mini:
            from vggviz.data.shapes import transforms
            return transforms()
        return _weights_for(self.variant).transforms()

    @property
    def input_size(self) -> int:
        """The side of the square the network is given (224, or 64 for the mini family)."""
        return variant_info(self.variant).input_size


def _weights_for(variant: str):
    """Torchvision's weights enum for the variant, or VGG16's for the two variants it lacks
    (same preprocessing and categories)."""
    info = variant_info(variant)
    return info.weights_enum or models.VGG16_Weights.IMAGENET1K_V1


def imagenet_meta() -> dict:
    return models.VGG16_Weights.IMAGENET1K_V1.meta


def default_source(variant: str | None = None) -> str:
    """``VGGVIZ_WEIGHTS`` (default ``imagenet``) for full-size variants; ``shapes`` for the mini
    family unless ``VGGVIZ_WEIGHTS`` names a file."""
    env = os.environ.get("VGGVIZ_WEIGHTS", "imagenet").strip() or "imagenet"
    if variant is not None and variant_info(variant).mini and env in ("imagenet", "random", "shapes"):
        return "shapes"
    return env


WEIGHTS_DIR_ENV = "VGGVIZ_WEIGHTS_DIR"


def weights_dir() -> Path | None:
    """The folder the teacher named in ``VGGVIZ_WEIGHTS_DIR`` for local weights files, or None.
    The app offers the ``.pth`` files in it by name, and no other path."""
    raw = os.environ.get(WEIGHTS_DIR_ENV, "").strip()
    if not raw:
        return None
    d = Path(raw).expanduser()
    return d.resolve() if d.is_dir() else None


def local_weight_files() -> list[str]:
    """The names of the ``.pth`` files directly in :func:`weights_dir` (sorted; none without it).
    A link that leads out of the folder is not listed."""
    d = weights_dir()
    if d is None:
        return []
    out = []
    for p in d.iterdir():
        if p.suffix.lower() == ".pth" and p.is_file() and p.resolve().parent == d:
            out.append(p.name)
    return sorted(out)


def local_weight_path(name: str) -> Path:
    """The path of the teacher's weights file ``name`` (source ``dir:NAME``): only a name that
    :func:`local_weight_files` lists, so no other path on the server can be reached."""
    if weights_dir() is None:
        raise WeightsError(Text(N_("no weights folder is set on this server ({env}); ask the teacher"),
                                env=WEIGHTS_DIR_ENV))
    if name not in local_weight_files():
        shown = " ".join(str(name).split())[:60]
        raise WeightsError(Text(N_("{file} is not one of the weights files on this server; choose one from the list"),
                                file=repr(shown)))
    return weights_dir() / name


def bundled_path(variant: str) -> Path:
    """Where the project ships the mini variant's shapes checkpoint (it may not exist)."""
    return MODELS_DIR / f"{canonical(variant)}.pth"


# Models trained in this process (the Train page, the worker pool), newest last, bounded.
# run id → (variant, state dict, class names, title)
_trained: dict[str, tuple[str, dict[str, torch.Tensor], tuple[str, ...], str]] = {}
_trained_lock = threading.Lock()


def keep_trained(run_id: str, variant: str, state: dict[str, torch.Tensor], classes, title: str = "") -> str:
    """Keep a trained state dict in memory (never on disk) as weights source ``trained:ID``;
    the oldest goes once :data:`TRAINED_KEEP` are kept. Returns the source name."""
    with _trained_lock:
        _trained.pop(run_id, None)
        _trained[run_id] = (canonical(variant), {k: v.detach().cpu() for k, v in state.items()},
                            tuple(classes), title or run_id)
        while len(_trained) > TRAINED_KEEP:
            _trained.pop(next(iter(_trained)))
    return f"trained:{run_id}"


def trained_models() -> dict[str, tuple[str, str]]:
    """``{source: (variant, title)}`` of the models kept by :func:`keep_trained`, oldest first."""
    with _trained_lock:
        return {f"trained:{k}": (v[0], v[3]) for k, v in _trained.items()}


def resolve_device(device: str = "auto") -> torch.device:
    """``auto`` → ``cuda`` when available, else ``cpu``. Raises WeightsError for an unusable device."""
    device = (device or "auto").lower()
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cpu":
        return torch.device("cpu")
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise WeightsError(Text(N_("device 'cuda' was asked for but no CUDA GPU is available; "
                                       "use --device cpu or auto")))
        return torch.device(device)
    raise WeightsError(Text(N_("unknown device {device}; use auto, cpu or cuda"), device=repr(device)))


def _url(variant: str) -> str:
    url = _weights_for(variant).url
    mirror = os.environ.get("VGGVIZ_WEIGHTS_MIRROR")
    if mirror:
        return mirror.rstrip("/") + "/" + url.rsplit("/", 1)[1]
    return url


def cached_path(variant: str) -> Path:
    """Where torch's cache keeps (or would keep) the variant's ImageNet weights."""
    name = variant_info(variant).weights_enum.url.rsplit("/", 1)[1]
    return Path(torch.hub.get_dir()) / "checkpoints" / name


def _download(url: str, dst: Path, progress: Progress | None, timeout: float) -> None:
    """Download ``url`` to ``dst`` atomically, checking the hash prefix in its file name
    (as torch.hub does), reporting progress, and failing fast when offline."""
    match = re.search(r"-([a-f0-9]{6,})\.", dst.name)
    dst.parent.mkdir(parents=True, exist_ok=True)
    sha = hashlib.sha256()
    with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - fixed https URL
        total = int(resp.headers.get("Content-Length") or 0)
        done = 0
        fd, tmp = tempfile.mkstemp(dir=dst.parent, suffix=".partial")
        try:
            with os.fdopen(fd, "wb") as f:
                while chunk := resp.read(1 << 20):
                    f.write(chunk)
                    sha.update(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
            if match and not sha.hexdigest().startswith(match.group(1)):
                raise WeightsError(Text(N_("downloaded {file} is corrupt (hash mismatch); try again"), file=dst.name))
            os.replace(tmp, dst)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def fetch_imagenet(variant: str, progress: Progress | None = None, timeout: float | None = None) -> Path:
    """Make sure the variant's ImageNet weights are in torch's cache; download them if not."""
    info = variant_info(variant)
    if info.mini:
        raise WeightsError(Text(N_("{variant} has no ImageNet weights: the mini family's shapes weights ship with "
                                   "the app (use --weights shapes)"), variant=variant))
    if not info.torchvision:
        raise WeightsError(Text(N_("{variant} has no published ImageNet weights (torchvision ships none); use random"),
                                variant=variant))
    path = cached_path(variant)
    if not path.exists():
        try:
            _download(_url(variant), path, progress, DOWNLOAD_TIMEOUT if timeout is None else timeout)
        except WeightsError:
            raise
        except (urllib.error.URLError, OSError, TimeoutError) as e:
            reason = " ".join(str(getattr(e, "reason", e)).split())
            raise WeightsError(Text(
                N_("could not download ImageNet weights for {variant} ({reason}: offline?); on a "
                   "machine with internet run `python -m vggviz weights fetch {variant}` (it prints "
                   "where the file went) and copy it into the server's torch cache"), variant=variant, reason=reason,
            )) from None
    return path


def _read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    return _read_checkpoint(path)[0]


def _read_checkpoint(path: Path) -> tuple[dict[str, torch.Tensor], tuple[str, ...] | None]:
    """A state dict, or ``{"state_dict": …, "classes": [names]}``: the tensors and the names."""
    if not path.is_file():
        raise WeightsError(Text(N_("weights file {file} not found"), file=repr(path.name)))
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # unpickling errors, truncated zip, not a torch file
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        if "GLOBAL" in str(e) or "Unsupported global" in str(e):  # a pickle naming callables
            raise WeightsError(Text(
                N_("{file} is not a plain state dict: it holds Python objects that could run "
                   "code, so it was refused (save model.state_dict() instead)"), file=path.name,
            )) from None
        raise WeightsError(Text(N_("{file} is not a PyTorch weights file ({reason})"), file=path.name,
                                reason=first[:120])) from None
    classes = None
    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        names = obj.get("classes")
        if names is not None:
            if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
                raise WeightsError(Text(N_("{file}: \"classes\" must be a list of class names (strings)"),
                                        file=path.name))
            classes = tuple(names)
        obj = obj["state_dict"]
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise WeightsError(Text(N_("{file} is not a state dict (a dict of tensor names to tensors)"), file=path.name))
    return {k.removeprefix("module."): v for k, v in obj.items()}, classes


SIDECAR_SUFFIX = ".classes.txt"
SIDECAR_MAX_BYTES = 1 << 20


def sidecar_path(path: Path) -> Path:
    """Where a checkpoint's class names may sit: ``NAME.classes.txt`` beside ``NAME.pth``."""
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def _read_sidecar(path: Path, within: Path | None = None) -> tuple[str, ...] | None:
    """The class names in the sidecar of ``path`` (one per line; blank lines at the end are
    ignored), or None when there is none. With ``within`` (the teacher's folder) a sidecar
    that leads out of it is ignored."""
    side = sidecar_path(path)
    if not side.is_file() or (within is not None and side.resolve().parent != within):
        return None
    if side.stat().st_size > SIDECAR_MAX_BYTES:
        raise WeightsError(Text(N_("{file} is larger than {mb} MB; it should hold one class name per line"),
                                file=side.name, mb=SIDECAR_MAX_BYTES >> 20))
    try:
        text = side.read_text(encoding="utf-8-sig")
    except (UnicodeDecodeError, OSError) as e:
        raise WeightsError(Text(N_("{file} is not a UTF-8 text file of class names ({reason})"), file=side.name,
                                reason=type(e).__name__)) from None
    names = [line.strip() for line in text.rstrip().splitlines()]
    empty = [i + 1 for i, n in enumerate(names) if not n]
    if not names or empty:
        raise WeightsError(Text(N_("{file} has an empty line ({line}); write one class name per line"),
                                file=side.name, line=empty[0] if empty else 1))
    return tuple(names)


def outputs(state: dict[str, torch.Tensor]) -> int | None:
    """How many classes a checkpoint's fc8 (torchvision's ``classifier.6``) has, or None."""
    fc8 = state.get("classifier.6.weight")
    return int(fc8.shape[0]) if isinstance(fc8, torch.Tensor) and fc8.dim() == 2 else None


def _class_names(variant: str, state: dict[str, torch.Tensor], classes, what: str) -> tuple[str, ...] | None:
    """The names to show for the checkpoint's outputs: its own (checked against fc8), None
    for the family's usual ones (ImageNet's 1000, the shapes), or ``class 0 … class N-1``
    for a fine-tuned fc8 that came without names."""
    n = outputs(state)
    if classes is not None:
        if n is not None and len(classes) != n:
            raise WeightsError(Text(N_("{what} has {names} class names but its last layer (fc8, classifier.6) "
                                       "has {n} outputs; give one name per output"), what=what, names=len(classes), n=n))
        return tuple(classes)
    default = 0 if n is None else len(_default_categories(variant))
    if n is None or n == default:
        return None
    return tuple(f"class {i}" for i in range(n))


def _default_categories(variant: str) -> list[str]:
    if variant_info(variant).mini:
        from vggviz.data.shapes import CLASSES
        return list(CLASSES)
    return imagenet_meta()["categories"]


def _load_into(variant: str, state: dict[str, torch.Tensor], what: str) -> nn.Module:
    classes = outputs(state)
    if classes is not None and classes < 1:
        raise WeightsError(Text(N_("{what}: its last layer (fc8, classifier.6) has no outputs"), what=what))
    model = build(variant, device="meta", num_classes=classes)
    expected = model.state_dict()
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    if missing or unexpected:
        detail = (Text(N_("missing {tensor}"), tensor=missing[0]) if missing
                  else Text(N_("unexpected {tensor}"), tensor=unexpected[0]))
        raise WeightsError(Text(
            N_("{what} does not fit {variant}: {missing} missing and {unexpected} "
               "unexpected tensors ({detail}); pick the variant it was saved from"),
            what=what, variant=variant, missing=len(missing), unexpected=len(unexpected), detail=detail,
        ))
    for k, v in expected.items():
        if tuple(state[k].shape) != tuple(v.shape):
            raise WeightsError(Text(
                N_("{what} does not fit {variant}: {tensor} has shape {shape}, expected {expected}"),
                what=what, variant=variant, tensor=k, shape=tuple(state[k].shape), expected=tuple(v.shape),
            ))
    model.load_state_dict({k: state[k].float() if state[k].is_floating_point() else state[k]
                           for k in expected}, assign=True)
    return model.eval()


def load_model(
    variant: str,
    source: str | None = None,
    device: str | torch.device = "auto",
    progress: Progress | None = None,
) -> LoadedModel:
    """Build ``variant`` with weights from ``source`` (default :func:`default_source`).

    Raises :class:`WeightsError` for a weights file that cannot be used; ImageNet weights
    that cannot be had fall back to seeded random weights, explained in ``note``.
    """
    info = variant_info(variant)
    variant = info.name
    source = (source or default_source(variant)).strip()
    dev = device if isinstance(device, torch.device) else resolve_device(device)
    note = ""
    classes = None
    if source == "random":
        model, used = build(variant), "random"
    elif source == "shapes":
        if not info.mini:
            raise WeightsError(Text(
                N_("the shapes weights exist only for the mini variants (vgg11_mini, vgg13_mini, "
                   "vgg16_mini, vgg19_mini, …), not {variant}; use imagenet or random"), variant=variant,
            ))
        path = bundled_path(variant)
        if path.is_file():
            state, classes = _read_checkpoint(path)
            what = Text(N_("bundled {file}"), file=path.name)
            model, used = _load_into(variant, state, what), "shapes"
            classes = _class_names(variant, state, classes, what)
        else:
            model, used = build(variant), "random"
            note = Text(N_("no trained shapes checkpoint ships for {label}; train it on the Train page "
                           "(or `python -m vggviz train {variant}`). Using random weights instead: "
                           "predictions and maps mean nothing."), label=info.label, variant=variant)
    elif source.startswith("trained:"):
        with _trained_lock:
            kept = _trained.get(source.removeprefix("trained:"))
        if kept is None:
            raise WeightsError(Text(N_("the trained model {source} is no longer in memory (only the last "
                                       "{n} are kept); train it again"), source=repr(source), n=TRAINED_KEEP))
        if kept[0] != variant:
            raise WeightsError(Text(N_("{source} is a {kept}, not a {variant}; pick {kept}"), source=source,
                                    kept=kept[0], variant=variant))
        model, used = _load_into(variant, kept[1], source), source
        classes = _class_names(variant, kept[1], kept[2], source)
    elif info.mini and source == "imagenet":
        raise WeightsError(Text(N_("{variant} has no ImageNet weights (the mini family is trained on shapes); "
                                   "use shapes or random"), variant=variant))
    elif source == "imagenet":
        try:
            t0 = time.monotonic()
            path = fetch_imagenet(variant, progress)
            state = _read_state_dict(path)
            model, used = _load_into(variant, state, Text(N_("cached {file}"), file=path.name)), "imagenet"
        except WeightsError as e:
            model, used = build(variant), "random"
            reason = e.args[0] if len(e.args) == 1 and isinstance(e.args[0], str) else str(e)
            note = Text(N_("{reason}. Using random weights instead: predictions and maps mean nothing."),
                        reason=reason)
        else:
            del t0
    else:
        in_dir = source.startswith("dir:")
        path = local_weight_path(source.removeprefix("dir:")) if in_dir else Path(source).expanduser()
        state, classes = _read_checkpoint(path)
        if classes is None:
            classes = _read_sidecar(path, weights_dir() if in_dir else None)
        model = _load_into(variant, state, path.name)
        classes = _class_names(variant, state, classes, path.name)
        used = f"file:{path.name}"
    model = model.to(dev)
    if dev.type == "cpu":
        # oneDNN's fast convolution layout on the CPU: a VGG16 analysis costs 20-25 % less
        # (``python -m benchmarks.bench_layout``). Every path reads this one model, so the maps
        # of the analysis, Grad-CAM and the unit inspector still agree with each other exactly.
        model = model.to(memory_format=torch.channels_last)
    for p in model.parameters():
        p.requires_grad_(False)
    return LoadedModel(variant=variant, model=model, requested=source, source=used, device=dev, note=note,
                       classes=classes)
