"""What the benchmark scripts share: the device sync and the model + image they measure."""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import torch  # noqa: E402

from vggviz.data.images import load_image_file, sample_images  # noqa: E402
from vggviz.model.weights import load_model  # noqa: E402


def sync(device: torch.device) -> None:
    """Wait for queued GPU work, so wall-clock times mean what they say."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def setup(variant: str, device: str, weights: str, image: str | None):
    """``(loaded, image, x)``: the model, the image (default: the Cat sample) and its
    preprocessed input batch on the model's device."""
    loaded = load_model(variant, weights, device)
    img = load_image_file(image or sample_images()["Cat"])
    x = loaded.transforms(img.image).unsqueeze(0).to(loaded.device)
    return loaded, img, x


@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Torch's intra-op threads set to ``n`` for this thread inside the block, restored after.
    One thread times "one analysis on one core", the unit of the load benchmarks' floor."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    """The median wall-clock seconds of ``repeats`` calls of ``fn`` (warm it up first)."""
    times = []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
