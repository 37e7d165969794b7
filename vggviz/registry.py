"""The app's pages, once: url path, title, icon, section, place in the lesson and widget-key
prefix of every page (no streamlit here).

The entry point's navigation (:func:`vggviz.app.flow.navigation`), the lesson's "next step"
button, the link parser's list of page segments and every test's page list are generated from
:data:`PAGES`. A page's file is ``pages/<url_path>.py``, except the start page (``pages/home.py``,
at ``/start``; ``/home`` is a hidden alias that opens it). ``tests/unit/test_registry.py``
checks that every file in ``pages/`` is registered and that no two pages share a key prefix.

Titles and sections are message ids (``N_``): the app shows them with ``_()``.
"""

from __future__ import annotations

from dataclasses import dataclass

from vggviz.i18n import N_

__all__ = ["PageSpec", "PAGES", "SECTIONS", "START", "HOME_ALIAS", "by_url", "lesson", "url_paths"]


@dataclass(frozen=True)
class PageSpec:
    url_path: str          # the page's address (and, but for the start page, its file's name)
    title: str             # message id
    icon: str
    section: str           # message id of the navigation section it is listed under
    lesson: int            # its place in the lesson ("Next step" goes to the next one)
    key_prefix: str        # every widget key the page makes starts with it
    file: str = ""         # pages/<file>.py; defaults to the url path

    @property
    def script(self) -> str:
        return f"pages/{self.file or self.url_path}.py"


START, HOME_ALIAS = "start", "home"

_S_START = N_("Start")
_S_ARCH = N_("The architecture")
_S_IMAGE = N_("An image through the network")
_S_LAB = N_("The shapes lab")
SECTIONS: tuple[str, ...] = (_S_START, _S_ARCH, _S_IMAGE, _S_LAB)

# In navigation order (sections in SECTIONS' order, pages in this order within each).
PAGES: tuple[PageSpec, ...] = (
    PageSpec(START, N_("Start here"), "🏠", _S_START, 0, "home_", file="home"),
    PageSpec("architecture", N_("Architecture"), "🧱", _S_ARCH, 1, "arch_"),
    PageSpec("compare", N_("Compare depths"), "📊", _S_ARCH, 2, "cmp_"),
    PageSpec("receptive_field", N_("Why 3×3?"), "🔍", _S_ARCH, 3, "rf_"),
    PageSpec("forward_pass", N_("Forward pass"), "➡️", _S_IMAGE, 4, "fp_"),
    PageSpec("feature_maps", N_("Feature maps"), "🗺️", _S_IMAGE, 5, "fm_"),
    PageSpec("unit", N_("One unit"), "🔬", _S_IMAGE, 6, "unit_"),
    PageSpec("channel", N_("What a channel wants to see"), "🎨", _S_IMAGE, 7, "ch_"),
    PageSpec("filters", N_("Filters"), "🎛️", _S_IMAGE, 8, "flt_"),
    PageSpec("gradcam", N_("Grad-CAM"), "🔥", _S_IMAGE, 9, "gc_"),
    PageSpec("fully_conv", N_("Fully convolutional"), "🧩", _S_IMAGE, 10, "fc_"),
    PageSpec("train", N_("Train it yourself"), "🏋️", _S_LAB, 12, "tr_"),
    PageSpec("transfer", N_("Teach it your own classes"), "🎓", _S_LAB, 11, "own_"),
)

_BY_URL = {p.url_path: p for p in PAGES}


def by_url(url_path: str) -> PageSpec | None:
    """The page at ``url_path`` (the start page also at ``/home``), or None."""
    return _BY_URL.get(START if url_path in ("", HOME_ALIAS) else url_path)


def lesson() -> list[str]:
    """The pages' url paths in the lesson's order."""
    return [p.url_path for p in sorted(PAGES, key=lambda p: p.lesson)]


def url_paths() -> list[str]:
    """Every url path a link may name, the start page's alias included."""
    return [p.url_path for p in PAGES] + [HOME_ALIAS]


