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
