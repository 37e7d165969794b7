"""Helpers shared by the test modules (import as ``from support import new_app, ROOT``)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ["VGGVIZ_WEIGHTS"] = "random"

# --- AppTest and st.navigation with a pages/ folder -------------------------------------
# A real server decides "pages/ directory app (MPA v1)" once at start-up, and the first
# st.navigation call turns that off for good, so the entry point (sidebar, banner) always
# runs. AppTest resets the flag before every run, so from the second run on it executes
# the page file alone, skipping streamlit_app.py. Keep the server's behaviour in tests.
from streamlit.runtime.pages_manager import PagesManager  # noqa: E402

_pm_init = PagesManager.__init__


def _pm_init_navigation(self, *args, **kwargs):
    _pm_init(self, *args, **kwargs)
    PagesManager.uses_pages_directory = False


PagesManager.__init__ = _pm_init_navigation


def new_app(timeout: float = 180):
    """An AppTest of the whole app (entry point + navigation), already run once."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout)
    at.run()
    return at


# --- What a page shows, as text (for the pseudo-locale test and others) ------------------
import json  # noqa: E402
import re  # noqa: E402

_TEXT_FIELDS = ("body", "label", "help", "placeholder", "caption")


def shown_texts(at, where: str = "all") -> list[str]:
    """Every text an AppTest run shows a reader (``where``: "all", "main" or "sidebar"): markdown, headings, captions, alerts, metric
    labels and helps, widget labels, helps and (formatted) options, tab and expander labels,
    and plotly figures' titles, axis titles, legend names and annotations."""
    out: list[str] = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "DESCRIPTOR"):
            names = {f.name for f in proto.DESCRIPTOR.fields}
            for f in _TEXT_FIELDS:
                if f in names:
                    v = getattr(proto, f)
                    if isinstance(v, str) and v:
                        out.append(v)
            if "options" in names:
                for o in proto.options:
                    out.append(o if isinstance(o, str) else getattr(o, "label", ""))
            if "spec" in names and getattr(proto, "spec", ""):
                out.extend(_plotly_texts(proto.spec))
        for child in (getattr(node, "children", None) or {}).values():
            walk(child)

    walk(at._tree if where == "all" else getattr(at, where))
    return [t for t in out if t and t.strip()]


def _plotly_texts(spec: str) -> list[str]:
    try:
        fig = json.loads(spec)
    except ValueError:
        return []
    lay = fig.get("layout", {})
    texts = []

    def title(obj):
        t = obj.get("title") if isinstance(obj, dict) else None
        if isinstance(t, dict):
            t = t.get("text")
        if isinstance(t, str):
            texts.append(t)

    title(lay)
    for k, v in lay.items():
        if k.startswith(("xaxis", "yaxis", "coloraxis")) and isinstance(v, dict):
            title(v)
            if isinstance(v.get("colorbar"), dict):
                title(v["colorbar"])
    for a in lay.get("annotations", []) or []:
        if isinstance(a, dict) and isinstance(a.get("text"), str):
            texts.append(a["text"])
    for tr in fig.get("data", []) or []:
        if isinstance(tr, dict) and tr.get("showlegend", True) is not False and isinstance(tr.get("name"), str):
            texts.append(tr["name"])
        if isinstance(tr, dict) and isinstance(tr.get("colorbar"), dict):
            title(tr["colorbar"])
    return texts


_WRAPPED = re.compile(r"⟦[^⟦⟧]*⟧")
_WORDS = re.compile(r"[A-Za-z][a-z]{2,}(?:[ -]+[A-Za-z][a-z]{2,})+")


def untranslated(texts, allowed=()) -> list[str]:
    """The texts that still hold English prose outside the pseudo-locale's ⟦…⟧ (two or more
    words in a row), after removing the ``allowed`` data strings (class names, file names…)."""
    bad = []
    allowed = sorted({a for a in allowed if a}, key=len, reverse=True)
    for t in texts:
        rest = t
        while True:
            new = _WRAPPED.sub(" ", rest)
            if new == rest:
                break
            rest = new
        for a in allowed:
            rest = rest.replace(a, " ")
        if _WORDS.search(rest):
            bad.append(t)
    return bad


# --- A checkpoint of one's own classes (tests/unit/test_own_classes.py, tests/app/test_app_own_classes.py)
OWN_NAMES = ["cat", "dog", "x-ray"]


def three_class_state(variant: str, seed: int = 1) -> dict:
    """A ``variant`` state dict whose fc8 has 3 outputs (a fine-tuned checkpoint of one's own)."""
    import torch
    from torch import nn

    from vggviz.model.variants import build

    model = build(variant, seed=seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model.classifier[6] = nn.Linear(model.classifier[6].in_features, 3)
    return model.state_dict()
