"""ruff over the repository with pyproject.toml's configuration (lint + docstring rules): any
finding fails, so README's single test command (and .ci/run) covers the lint too. ruff comes
from requirements-dev.txt; without it the test skips on a developer's machine and fails in CI.
And no module of vggviz/ over 500 lines."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest
from support import ROOT


def _ruff(*paths: str) -> subprocess.CompletedProcess:
    if importlib.util.find_spec("ruff") is None:
        msg = "ruff is not installed (pip install -r requirements-dev.txt)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI: {msg}", pytrace=False)
        pytest.skip(msg)
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", *paths],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def _findings(done: subprocess.CompletedProcess) -> str:
    return (done.stdout + done.stderr)[-6000:]


def test_the_whole_repository_is_clean():
    done = _ruff(".")
    assert done.returncode == 0, _findings(done)


MAX_LINES = 500


def test_no_module_over_500_lines():
    """Small modules: every Python file under vggviz/ (the locale catalogues included) has at
    most MAX_LINES lines; a longer one is split along its seams, not excused."""
    long = []
    for path in sorted((ROOT / "vggviz").rglob("*.py")):
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES:
            long.append(f"{path.relative_to(ROOT)} ({n} lines)")
    assert not long, f"split these modules (at most {MAX_LINES} lines each): {long}"
