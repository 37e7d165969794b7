"""vggviz.boot: the heavy libraries imported once, in one thread, before any script imports more.

The control shows the failure this module prevents: fresh interpreters in which several threads
import vggviz's modules at once, as the sessions of a fresh server do. The day the control stops
failing (torchvision imports safely from two threads), vggviz.boot can go."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

from support import ROOT

# Each thread imports one of the modules the entry point and the pages start with, all at once.
_RACE = """
import importlib, json, sys, threading
boot = sys.argv[1] == "boot"
mods = ["vggviz.serving.jobs", "vggviz.explain.attribution", "vggviz.data.shapes", "vggviz.model.weights", "vggviz.inference.dense", "vggviz.app.ui"]
errors, start = [], threading.Barrier(len(mods))
def one(name):
    start.wait()
    try:
        if boot:
            importlib.import_module("vggviz.boot")
        importlib.import_module(name)
    except Exception as e:
        errors.append(f"{name}: {type(e).__name__}: {str(e)[:120]}")
threads = [threading.Thread(target=one, args=(m,)) for m in mods]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps(errors))
"""


def _race(mode: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", _RACE, mode], capture_output=True, text=True, cwd=ROOT,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "VGGVIZ_WEIGHTS": "random"},
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_without_boot_concurrent_first_imports_fail():
    """The control: without vggviz.boot, at least one of three fresh servers' worth of threads fails."""
    failures = [e for _ in range(3) for e in _race("plain")]
    assert failures, "torchvision now imports safely from several threads: vggviz.boot can go"
    assert any("partially initialized" in e or "Deadlock" in e for e in failures), failures


def test_with_boot_every_thread_imports():
    for _ in range(3):
        assert _race("boot") == []


def _first_import(path) -> str:
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.Import):
            return node.names[0].name
        if isinstance(node, ast.ImportFrom):
            return f"from {node.module}"
    return ""


def test_every_script_imports_boot_first():
    scripts = [ROOT / "streamlit_app.py", *sorted((ROOT / "pages").glob("*.py"))]
    wrong = [p.name for p in scripts if _first_import(p) != "vggviz.boot"]
    assert not wrong, f"make `import vggviz.boot` the first import of: {wrong}"
