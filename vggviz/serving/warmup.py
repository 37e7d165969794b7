"""The long-running server process: the libraries imported once, then kept out of the garbage
collector's way (no streamlit).

Streamlit runs a full garbage collection (``gc.collect(2)``, its option
``runner.postScriptGC``) at the end of *every* script run, so that memory does not build up
between runs. A full collection walks every container object the process holds, and with
torch, torchvision, pandas, plotly and captum imported that is about 0.46 M objects: 0.4 s of
CPU per collection on this class of machine, all of it holding the GIL, so the scheduler's
worker cannot start its next layer meanwhile. A student causes three or four script runs
(open the page, upload, the Grad-CAM page), so the collector cost more per student than the
VGG16 forward pass itself (0.37 s). Profiled through ``benchmarks/load_server.py`` with
py-spy: 42 % of the time the GIL was held, it was held by that one ``gc.collect``.

:func:`prepare` imports those libraries, collects once, and moves every object alive then
into the permanent generation (``gc.freeze()``), which collections skip. They are nearly all
module-level objects that live as long as the process; frozen objects are still freed by
reference counting, only a reference *cycle* among them would never be collected, and the
process holds no model, image or analysis yet when it runs. Later collections then walk only
what the sessions created: microseconds instead of 0.4 s, and streamlit's safeguard against
memory building up stays as it is.

``VGGVIZ_GC_FREEZE=0`` turns the freeze off (to measure the difference). The full collection
after every run is itself switched off in ``.streamlit/config.toml`` (``runner.postScriptGC``):
even on what was left unfrozen it cost 30 students on VGG16 3-4 s of server CPU and 1.2-2 s
of p95 wait (``benchmarks/load_server.py``, two runs each way); Python's own generational
collections still run.
"""

from __future__ import annotations

import gc
import importlib
import os
import threading

__all__ = ["prepare", "HEAVY_MODULES", "frozen"]

# What the pages import sooner or later, the big ones (objects added, measured): torch and
# torchvision ~0.31 M, captum (imported by Grad-CAM) ~46 k, pandas ~33 k.
HEAVY_MODULES = ("torch", "torchvision", "torchvision.models", "pandas", "plotly.graph_objects",
                 "captum.attr")

_lock = threading.Lock()
_done = False


def frozen() -> int:
    """How many objects the collector skips (``gc.get_freeze_count()``)."""
    return gc.get_freeze_count()


def prepare() -> bool:
    """Once per process: import :data:`HEAVY_MODULES` and freeze what is alive after one full
    collection. Returns True on the call that did it (False after, or when switched off). A
    second thread calling it meanwhile waits until the imports are done (:mod:`vggviz.boot`)."""
    global _done
    if _done:
        return False
    with _lock:
        if _done:
            return False
        for name in HEAVY_MODULES:
            try:
                importlib.import_module(name)
            except ImportError:       # an optional library missing: the pages say so themselves
                pass
        _fit_threads()
        _done = True
        if os.environ.get("VGGVIZ_GC_FREEZE", "1").strip().lower() in ("0", "false", "no", "off"):
            return False
        gc.collect()
        gc.freeze()
        return True


def _fit_threads() -> None:
    """Torch's threads for the sessions' own work (Grad-CAM, training) no more than the cores
    the process may use: torch counts the host's cores, a container may have two of them
    (the scheduler's workers set their own per pass)."""
    import torch

    from vggviz.serving.scheduler import cores

    if torch.get_num_threads() > cores():
        torch.set_num_threads(cores())
