"""The Draw page's speed: drawing → answer latency and the live camera's frames per second.

For each variant (default: the mini family and VGG16) on the device it runs on (``--device auto``:
the GPU when there is one), medians over ``--repeats`` runs after ``--warmup``:

* ``draw_ms``: what one stroke costs the server, without the browser: the canvas's RGBA pixels
  (320 × 320, as the page's canvas) → :func:`vggviz.inference.live.drawing_to_image` → the PNG the
  page keeps → :func:`vggviz.images.load_image` → :func:`vggviz.inference.live.live_results`
  (top-5, the two default feature-map strips, Grad-CAM of the top class and its overlay).
  Target: ≤ 150 ms for the mini VGG16 on the CPU (``draw_target_ratio`` = median / 150 ms; ≤ 1 meets it).
* ``camera_fps``: frames per second one camera stream gets: a 640 × 480 webcam frame through
  :meth:`vggviz.inference.live.LiveCamera.process` (the model, Grad-CAM on the picture, one
  layer's maps, the label), plus PyAV's conversions to and from a video frame as the page does.
  1 / median seconds: frames beyond it are dropped, never queued. On ``--camera-threads`` torch
  threads (default 1, as the page runs a stream).

The drawing uses torch's default threads (all the cores this process may use) unless ``--threads``.
The mini family uses its bundled shapes weights, full-size variants seeded random weights
(speed does not depend on them; nothing is downloaded).

    .venv/bin/python -m benchmarks.bench_live [--variants vgg11_mini,vgg16_mini,vgg16] [--device auto]
        [--repeats 20] [--warmup 3] [--threads N] [--camera-threads 1] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from benchmarks.common import sync, torch_threads  # noqa: E402
from vggviz.data.images import load_image  # noqa: E402
from vggviz.figures.maps import to_png  # noqa: E402
from vggviz.inference import live  # noqa: E402
from vggviz.model.variants import VARIANTS  # noqa: E402
from vggviz.model.weights import load_model  # noqa: E402

DEFAULT_VARIANTS = ("vgg11_mini", "vgg13_mini", "vgg16_mini", "vgg19_mini", "vgg16")
TARGET_DRAW_S = 0.150           # mini VGG16 on the CPU: the answer follows the pen
CANVAS = 320
FRAME = (480, 640)              # a webcam's picture, (H, W)


def canvas_rgba() -> np.ndarray:
    """A triangle drawn as the page's canvas sends it: black strokes on white, RGBA."""
    img = Image.new("RGBA", (CANVAS, CANVAS), "white")
    ImageDraw.Draw(img).line([(160, 50), (270, 250), (50, 250), (160, 50)], fill="black", width=10, joint="curve")
    return np.asarray(img)


def camera_frame() -> np.ndarray:
    h, w = FRAME
    img = Image.new("RGB", (w, h), (235, 230, 220))
    ImageDraw.Draw(img).regular_polygon((w / 2, h / 2, h / 3), 5, fill=(30, 30, 120))
    return np.asarray(img)


def _median(fn, repeats: int, warmup: int, device: torch.device) -> tuple[float, float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(max(1, repeats)):
        sync(device)
        t0 = time.perf_counter()
        fn()
        sync(device)
        times.append(time.perf_counter() - t0)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(round(0.9 * (len(times) - 1))))]


def run(variant: str, device: str, repeats: int, warmup: int, camera_threads: int | None = 1) -> dict:
    weights = "shapes" if VARIANTS[variant].mini else "random"
    loaded = load_model(variant, weights, device)
    dev = loaded.device
    rgba = canvas_rgba()

    def one_stroke():
        drawn = live.drawing_to_image(rgba)
        image = load_image(to_png(drawn.image), "drawing")
        return live.live_results(loaded, image.image)

    threads = torch.get_num_threads()
    draw_s, draw_p90 = _median(one_stroke, repeats, warmup, dev)

    cam = live.LiveCamera(loaded, busy=lambda: False, threads=camera_threads)
    frame = camera_frame()
    try:
        import av

        def one_frame():
            vf = av.VideoFrame.from_ndarray(frame, format="rgb24")
            out = cam.process(vf.to_ndarray(format="rgb24"))
            return av.VideoFrame.from_ndarray(out, format="rgb24")
    except ImportError:          # without streamlit-webrtc's PyAV: the model's part alone
        def one_frame():
            return cam.process(frame)

    with torch_threads(threads):         # the camera sets its own threads in this thread: restore them after
        frame_s, frame_p90 = _median(one_frame, repeats, warmup, dev)
    out = {
        "variant": variant, "weights": loaded.source, "device": str(dev), "threads": threads,
        "camera_threads": camera_threads or threads,
        "draw_ms": round(1000 * draw_s, 2), "draw_p90_ms": round(1000 * draw_p90, 2),
        "camera_frame_ms": round(1000 * frame_s, 2), "camera_fps": round(1 / frame_s, 2) if frame_s > 0 else None,
        "camera_p90_fps": round(1 / frame_p90, 2) if frame_p90 > 0 else None,
        "frame": f"{FRAME[1]}x{FRAME[0]}", "canvas": f"{CANVAS}x{CANVAS}",
    }
    if variant == "vgg16_mini" and dev.type == "cpu":
        out["draw_target_ratio"] = round(draw_s / TARGET_DRAW_S, 3)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", default=",".join(DEFAULT_VARIANTS))
    ap.add_argument("--device", default="auto")
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None, help="torch threads for the drawing (default: torch's)")
    ap.add_argument("--camera-threads", type=int, default=1,
                    help="torch threads of a camera stream (default 1, as the page; 0: the same as --threads)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    if a.threads:
        torch.set_num_threads(a.threads)
    rows = [run(v.strip(), a.device, a.repeats, a.warmup, a.camera_threads or None)
            for v in a.variants.split(",") if v.strip()]
    if a.json:
        print(json.dumps({"rows": rows, "target_draw_ms": 1000 * TARGET_DRAW_S}, indent=1))
        return 0
    print(f"{'variant':<12} {'device':<7} {'thr':>3} {'draw ms':>8} {'p90':>8} {'cam thr':>7} {'frame ms':>9} "
          f"{'camera fps':>10}")
    for r in rows:
        print(f"{r['variant']:<12} {r['device']:<7} {r['threads']:>3} {r['draw_ms']:>8.1f} {r['draw_p90_ms']:>8.1f} "
              f"{r['camera_threads']:>7} {r['camera_frame_ms']:>9.1f} {r['camera_fps']:>10.1f}")
        if "draw_target_ratio" in r:
            verdict = "meets" if r["draw_target_ratio"] <= 1 else "misses"
            print(f"  mini VGG16 on the CPU: {r['draw_ms']:.1f} ms = {r['draw_target_ratio']:.2f} × the "
                  f"{1000 * TARGET_DRAW_S:.0f} ms target ({verdict} it)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
