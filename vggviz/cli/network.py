"""The network's commands: ``summary`` (the layer table), ``weights fetch``, ``predict`` and
``rf`` (stacked convolutions against one)."""

from __future__ import annotations

import sys

from vggviz.cli.common import DEVICES, Parser, load, positive, print_json

__all__ = ["add_parsers"]


def add_parsers(sub) -> None:
    """Add ``summary``, ``weights``, ``predict``, ``rf`` to the subparsers ``sub``."""
    s = sub.add_parser("summary", help="the layer-by-layer table of a variant (or of alexnet, the reference model)")
    s.add_argument("variant", help="vgg11 … vgg19_bn, a mini variant, or alexnet")
    s.add_argument("--input-size", type=positive("input size"), default=None,
                   help="default: the variant's own (224, or 64 for the mini family)")
    fmt = s.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")
    s.set_defaults(run=_summary)

    w = sub.add_parser("weights", help="manage ImageNet weights (for offline classrooms)")
    wsub = w.add_subparsers(dest="action", required=True, parser_class=Parser)
    f = wsub.add_parser("fetch", help="download ImageNet weights into torch's cache (TORCH_HOME)")
    f.add_argument("variants", nargs="+")
    w.set_defaults(run=_weights)

    pr = sub.add_parser("predict", help="top-k classes for an image (ImageNet's, or a checkpoint's own)")
    pr.add_argument("image")
    pr.add_argument("--variant", default="vgg16")
    pr.add_argument("--weights", default=None, help="imagenet | shapes | random | PATH.pth (default: $VGGVIZ_WEIGHTS "
                                                    "or imagenet; shapes for the mini family); a .pth may "
                                                    "carry its own classes, or sit beside PATH.classes.txt")
    pr.add_argument("--device", default="auto", choices=DEVICES)
    pr.add_argument("--topk", type=positive("topk"), default=5)
    pr.add_argument("--json", action="store_true")
    pr.set_defaults(run=_predict)

    r = sub.add_parser("rf", help="N stacked K×K convolutions against one with the same receptive field")
    r.add_argument("--kernel", type=positive("kernel"), required=True)
    r.add_argument("--layers", type=positive("layers"), required=True)
    r.add_argument("--channels", type=positive("channels"), default=64)
    r.add_argument("--json", action="store_true")
    r.set_defaults(run=_rf)


def _summary(a) -> None:
    from vggviz.model.summary import summarize
    from vggviz.model.variants import model_info

    info = model_info(a.variant)         # a VGG variant, or a reference model (alexnet)
    a.variant, a.input_size = info.name, a.input_size or info.input_size
    s = summarize(a.variant, a.input_size)
    if a.json:
        print_json(s.to_json())
    elif a.csv:
        sys.stdout.write(s.to_csv())
    else:
        print(f"{a.variant} at {a.input_size}×{a.input_size}: {s.total_params:,} parameters, "
              f"{s.total_macs:,} MACs ({s.total_flops:,} FLOPs)")
        print(f"weights {s.total_param_bytes:,} bytes (parameters × 4); activations of one "
              f"inference pass {s.total_act_bytes:,} bytes (distinct tensors, float32)")
        print(f"{'layer':<9} {'module':<14} {'type':<22} {'output':>14} {'params':>12} {'MACs':>15} {'rf':>5} {'jump':>5}")
        for row in s.rows:
            shape = "×".join(map(str, row.out_shape))
            print(f"{row.name:<9} {row.module:<14} {row.type:<22} {shape:>14} {row.params:>12,} "
                  f"{row.macs:>15,} {row.rf:>5} {row.jump:>5}")


def _weights(a) -> None:
    from vggviz.model.variants import variant_info
    from vggviz.model.weights import cached_path, fetch_imagenet

    for v in a.variants:
        variant_info(v)
    for v in a.variants:
        last = [-1]

        def progress(done: int, total: int, v: str = v, last: list = last) -> None:
            pct = int(100 * done / total) if total else -1
            if pct != last[0] and (pct % 5 == 0 or pct < 0):
                last[0] = pct
                sys.stderr.write(f"\r{v}: {done / 2**20:.0f}/{total / 2**20:.0f} MB ({pct}%)")
                sys.stderr.flush()

        path = fetch_imagenet(v, progress, timeout=30)
        sys.stderr.write("\n" if last[0] != -1 else "")
        print(f"{v}: {path}" + (" (already cached)" if last[0] == -1 else ""))
    del cached_path


def _predict(a) -> None:
    image, loaded = load(a)
    from vggviz.inference.analysis import analyze

    res = analyze(loaded, image, topk=a.topk)
    out = {
        "variant": a.variant, "weights": loaded.source, "device": str(loaded.device),
        "top": [{"index": p.index, "label": p.label, "prob": round(float(p.prob), 6)} for p in res.top],
    }
    if loaded.classes is not None:      # a checkpoint with its own classes: all its names
        out["classes"] = list(loaded.classes)
    if a.json:
        print_json(out)
    else:
        print(f"{a.variant} ({loaded.source} weights, {loaded.device}):")
        for p in res.top:
            print(f"  {100 * p.prob:6.2f}%  {p.label} ({p.index})")


def _rf(a) -> None:
    from vggviz.model.receptive_field import compare_stack

    c = compare_stack(a.kernel, a.layers, a.channels)
    if a.json:
        print_json(c.to_json())
    else:
        print(f"{a.layers} stacked {a.kernel}×{a.kernel} convs ({a.channels} channels): receptive field "
              f"{c.rf}×{c.rf}, {c.params:,} weights, {c.nonlinearities} non-linearities")
        print(f"one {c.single_kernel}×{c.single_kernel} conv: {c.single_params:,} weights, 1 non-linearity "
              f"(the stack saves {100 * c.saving:.1f}%)")
