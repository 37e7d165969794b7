"""vggviz.app.ui without a page: the pages-directory workaround (``ui.page_guard``) and the helpers
pages share. The workaround's tests fail when a Streamlit upgrade changes the behaviour it works
around: then read ``ui.page_guard``'s docstring and drop or adapt it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from support import ROOT

# A fresh interpreter (this test process has tests/support.py's AppTest patch, and vggviz.app.ui
# imported), opening the Start page's URL directly, as the first request after a server start.
_DEEP_LINK = """
import json, pathlib, shutil, sys, tempfile
if sys.argv[1] == "imported":
    import vggviz.app.ui  # imported before the run, as by another session
from streamlit.testing.v1 import AppTest
entry, page = sys.argv[2], "pages/home.py"
if sys.argv[1] == "unguarded":      # a copy of the app whose start page has no guard
    tmp = pathlib.Path(tempfile.mkdtemp())
    shutil.copy(entry, tmp / "streamlit_app.py")
    shutil.copytree(pathlib.Path(entry).parent / "pages", tmp / "pages")
    (tmp / "pages" / "home.py").write_text("import streamlit as st\\nst.title('bare page')\\n")
    entry = str(tmp / "streamlit_app.py")
at = AppTest.from_file(entry, default_timeout=240)
at.switch_page(page)
at.run()
print(json.dumps({"exceptions": [str(e.value) for e in at.exception],
                  "sidebar": [b.label for b in at.sidebar.selectbox],
                  "titles": [t.value for t in at.title]}))
"""


def _deep_link(mode: str) -> dict:
    env = dict(os.environ, VGGVIZ_WEIGHTS="random", PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", _DEEP_LINK, mode, str(ROOT / "streamlit_app.py")],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_pages_directory_mode_is_set_from_the_pages_folder():
    """The flag the guard turns off exists, starts unset, and a fresh PagesManager sets it from
    the pages/ folder beside the entry point (what the server does when the first session starts)."""
    code = ("import json, sys\n"
            "from streamlit.runtime.pages_manager import PagesManager\n"
            "before = PagesManager.uses_pages_directory\n"
            "PagesManager(sys.argv[1])\n"
            "print(json.dumps([before, PagesManager.uses_pages_directory]))\n")
    out = subprocess.run([sys.executable, "-c", code, str(ROOT / "streamlit_app.py")],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [None, True]


def test_pages_directory_mode_without_the_guard_runs_the_page_alone():
    """The behaviour worked around, shown on a page file without the guard: a deep link right
    after a start runs that file alone, without the entry point (no sidebar). The control for
    the test below: if it fails, Streamlit no longer does this, and the guard can go."""
    shown = _deep_link("unguarded")
    assert not shown["exceptions"]
    assert shown["titles"] == ["bare page"]
    assert shown["sidebar"] == []


@pytest.mark.parametrize("mode", ["fresh", "imported"])
def test_pages_directory_mode_guard_runs_the_entry_point(mode):
    """With the guard, the same deep link reruns as the entry point: the sidebar is drawn and
    the linked page is shown, once; also when vggviz.app.ui was imported before (a second
    session's page run, which the old once-per-import guard missed)."""
    shown = _deep_link(mode)
    assert not shown["exceptions"]
    assert shown["titles"] == ["🧱 vggviz: VGG, taken apart"]
    assert "VGG variant" in shown["sidebar"] and "Sample image" in shown["sidebar"]


def test_page_guard_does_nothing_outside_a_script_run():
    from streamlit.runtime.pages_manager import PagesManager

    from vggviz.app import ui

    before = PagesManager.uses_pages_directory
    try:
        PagesManager.uses_pages_directory = True
        ui.page_guard()                      # no script run: no rerun, flag left as it is
        assert PagesManager.uses_pages_directory is True
    finally:
        PagesManager.uses_pages_directory = before


def test_every_page_calls_the_guard_first():
    """Every registered page's first statement after its imports is ``ui.page_guard()``: the
    three lines of boilerplate (the boot import, the app import, the guard)."""
    import ast

    from vggviz import registry

    for spec in registry.PAGES:
        tree = ast.parse((ROOT / spec.script).read_text())
        body = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))
                and not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
        assert ast.unparse(body[0]) == "ui.page_guard()", spec.script
        assert isinstance(tree.body[0], ast.Import) or ast.unparse(tree.body[1]) == "import vggviz.boot", spec.script


def _later_work_script():
    import streamlit as st

    from vggviz.app import results
    from vggviz.serving.scheduler import scheduler

    out = results._after_first_results(("test-later", st.session_state.get("n", 0)),
                                       lambda: f"first passes running at compute: {scheduler()._running_first}")
    st.write(out)


def test_later_work_waits_for_first_results_then_a_hit_does_not_wait(monkeypatch):
    """A Grad-CAM not computed yet waits while a classmate's forward pass runs: the pass is
    released only once the later work is waiting, and the work is computed after it ended. The
    same key again (a slider moved) is a cache hit and does not wait. No sleeps: events order
    the threads."""
    import threading

    from streamlit.testing.v1 import AppTest

    from vggviz.app import results
    from vggviz.serving import scheduler as sched

    release, started, waiting = threading.Event(), threading.Event(), threading.Event()
    original = sched.Scheduler.yield_to_first

    def yield_to_first(self, *a, **k):
        waiting.set()
        return original(self, *a, **k)

    monkeypatch.setattr(sched.Scheduler, "yield_to_first", yield_to_first)
    results._later_done.pop(("test-later", 0), None)
    holder = threading.Thread(target=lambda: sched.scheduler().run(
        ("test-first-pass",), lambda: started.set() or release.wait(60)))
    holder.start()
    assert started.wait(30)
    releaser = threading.Thread(target=lambda: waiting.wait(120) and release.set())
    releaser.start()
    try:
        at = AppTest.from_function(_later_work_script, default_timeout=120)
        at.run()
    finally:
        release.set()
        holder.join(30)
        releaser.join(30)
    assert not at.exception
    assert at.markdown[-1].value == "first passes running at compute: 0"
    waiting.clear()
    at.run()                                           # the same key: computed before, no wait
    assert not waiting.is_set()
    assert ("test-later", 0) in results._later_done
