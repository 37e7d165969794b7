"""What capturing every feature map costs, and how fast the largest one renders.

For one variant at 224 px on the device it runs on:

* ``bare``: median time of ``model(x)`` under ``inference_mode`` (the floor);
* ``analyze``: median time of :func:`vggviz.inference.analysis.analyze` on the same image, the whole
  call: preprocessing, the walk that keeps every spatial layer, copies to CPU numpy,
  softmax and top-k (target: ≤ 1.1 × bare);
* ``grid``: median time to render the largest layer as one tiled image, as the Feature maps
  page does (derive the ReLU from the stored float16 pre-activation, then ``feature_grid``;
  target ≤ 0.1 s);
* memory: peak RSS of the process, the peak during one ``analyze`` (Linux: VmHWM reset
  through ``/proc/self/clear_refs``), the bytes one Analysis keeps, and on CUDA
  ``max_memory_allocated`` for a bare pass and for ``analyze``.

Bare and analyze runs alternate, so a busy machine slows both alike.

    .venv/bin/python -m benchmarks.bench_capture [--variant vgg16] [--device auto] [--repeats 7] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import torch  # noqa: E402

from benchmarks.common import setup, sync  # noqa: E402
from vggviz.figures.maps import feature_grid  # noqa: E402
from vggviz.inference.analysis import analyze  # noqa: E402

TARGET_RATIO = 1.1
TARGET_GRID_S = 0.1


def _status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def run(variant: str, device: str, weights: str, repeats: int, warmup: int, image: str | None) -> dict:
    loaded, img, x = setup(variant, device, weights, image)
    dev = loaded.device
    model = loaded.model
    rss_model_mib = (_status_kib("VmRSS") or 0) / 1024

    def bare() -> float:
        with torch.inference_mode():
            sync(dev)
            t0 = time.perf_counter()
            model(x)
            sync(dev)
            return time.perf_counter() - t0

    def full() -> tuple[float, float]:
        t0 = time.perf_counter()
        res = analyze(loaded, img)
        return time.perf_counter() - t0, res.seconds

    for _ in range(warmup):
        bare()
        full()
    t_bare, t_full, t_pass = [], [], []
    for _ in range(repeats):
        t_bare.append(bare())
        f, p = full()
        t_full.append(f)
        t_pass.append(p)

    # memory of one analyze
    reset = _reset_peak_rss()
    before = _status_kib("VmRSS")
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
        bare()
        cuda_bare = torch.cuda.max_memory_allocated(dev)
        torch.cuda.reset_peak_memory_stats(dev)
    res = analyze(loaded, img)
    cuda_full = torch.cuda.max_memory_allocated(dev) if dev.type == "cuda" else None
    peak_during = _status_kib("VmHWM") if reset else None
    kept = sum(a.nbytes for a in res.acts.values()) + res.probs.nbytes

    # the largest layer, rendered the way the page does it
    sizes = {n: res.activation(n).size if n.startswith("relu") else res.acts[n].size for n in res.layer_names()}
    largest = max(reversed(res.layer_names()), key=lambda n: (sizes[n], n.startswith("relu")))
    shape = res.activation(largest).shape
    t_grid, t_grid_only = [], []
    for _ in range(max(repeats, 5)):
        t0 = time.perf_counter()
        acts = res.activation(largest)
        t1 = time.perf_counter()
        feature_grid(acts, order="mean")
        t2 = time.perf_counter()
        t_grid.append(t2 - t0)
        t_grid_only.append(t2 - t1)

    med = statistics.median
    out = {
        "variant": variant, "weights": loaded.source, "device": str(dev),
        "device_name": torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"CPU ({os.cpu_count()} cores, "
                                                                                  f"{torch.get_num_threads()} torch threads)",
        "input": "1x3x224x224", "repeats": repeats,
        "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "bare_s": med(t_bare), "analyze_s": med(t_full), "analyze_pass_s": med(t_pass),
        "ratio": med(t_full) / med(t_bare), "ratio_pass": med(t_pass) / med(t_bare),
        "ratio_paired": med([f / b for f, b in zip(t_full, t_bare, strict=True)]),
        "target_ratio": TARGET_RATIO,
        "largest_layer": largest, "largest_shape": list(shape),
        "grid_s": med(t_grid), "grid_only_s": med(t_grid_only), "target_grid_s": TARGET_GRID_S,
        "rss_after_model_mib": rss_model_mib,
        "rss_peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_peak_during_analyze_mib": None if peak_during is None else peak_during / 1024,
        "rss_before_analyze_mib": None if before is None else before / 1024,
        "analysis_kept_mib": kept / 2**20,
        "cuda_max_allocated_bare_mib": None if dev.type != "cuda" else cuda_bare / 2**20,
        "cuda_max_allocated_analyze_mib": None if cuda_full is None else cuda_full / 2**20,
    }
    return out


def table(r: dict) -> str:
    ok = lambda good: "ok" if good else "OVER"  # noqa: E731
    rows = [
        ("device", r["device_name"], ""),
        ("bare forward model(x), median", f"{1000 * r['bare_s']:.1f} ms", ""),
        ("analyze(), whole call, median", f"{1000 * r['analyze_s']:.1f} ms", ""),
        ("  of which the pass with capture", f"{1000 * r['analyze_pass_s']:.1f} ms", ""),
        ("ratio analyze / bare (medians)", f"{r['ratio']:.3f}", f"target ≤ {r['target_ratio']}: {ok(r['ratio'] <= r['target_ratio'])}"),
        ("ratio, median of back-to-back pairs", f"{r['ratio_paired']:.3f}", ""),
        (f"grid of {r['largest_layer']} {'×'.join(map(str, r['largest_shape']))}",
         f"{1000 * r['grid_s']:.1f} ms", f"target ≤ {1000 * r['target_grid_s']:.0f} ms: {ok(r['grid_s'] <= r['target_grid_s'])}"),
        ("  of which feature_grid alone", f"{1000 * r['grid_only_s']:.1f} ms", ""),
        ("one Analysis keeps", f"{r['analysis_kept_mib']:.1f} MiB", "numpy arrays"),
        ("RSS after loading the model", f"{r['rss_after_model_mib']:.0f} MiB", ""),
        ("peak RSS during one analyze", "n/a" if r["rss_peak_during_analyze_mib"] is None
         else f"{r['rss_peak_during_analyze_mib']:.0f} MiB", f"from {r['rss_before_analyze_mib']:.0f} MiB before"),
        ("peak RSS of the process", f"{r['rss_peak_mib']:.0f} MiB", ""),
    ]
    if r["cuda_max_allocated_bare_mib"] is not None:
        rows += [("CUDA max allocated, bare", f"{r['cuda_max_allocated_bare_mib']:.0f} MiB", ""),
                 ("CUDA max allocated, analyze", f"{r['cuda_max_allocated_analyze_mib']:.0f} MiB", "")]
    w0 = max(len(a) for a, _, _ in rows)
    w1 = max(len(b) for _, b, _ in rows)
    lines = [f"{r['variant']} ({r['weights']} weights), {r['input']}, {r['repeats']} repeats"
             + ("" if r["load_average_1min"] is None else f", load average {r['load_average_1min']:.2f} at the end")]
    lines += [f"  {a:<{w0}}  {b:>{w1}}  {c}".rstrip() for a, b, c in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--variant", default="vgg16")
    p.add_argument("--device", default="auto", help="auto (cuda when available), cpu or cuda")
    p.add_argument("--weights", default="random", help="random (default: no download), imagenet or a .pth")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--image", default=None, help="image file (default: the bundled cat)")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (default: torch's own choice)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    a = p.parse_args(argv)
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    r = run(a.variant, a.device, a.weights, max(1, a.repeats), max(0, a.warmup), a.image)
    print(json.dumps(r, indent=2) if a.json else table(r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
