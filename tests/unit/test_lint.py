"""ruff over the repository with pyproject.toml's configuration (lint + docstring rules): any
finding fails, so README's single test command (and .ci/run) covers the lint too. ruff comes
from requirements-dev.txt; without it the tests skip on a developer's machine and fail in CI."""

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


def test_tests_benchmarks_and_deploy_are_clean():
    done = _ruff("tests", "benchmarks", "deploy")
    assert done.returncode == 0, _findings(done)


def test_the_whole_repository_is_clean():
    done = _ruff(".")
    assert done.returncode == 0, _findings(done)


def test_long_modules_say_why():
    """Issue 16: no module of vggviz/ over about 400 lines without a reason written at its top."""
    import ast

    from support import ROOT

    silent = []
    for path in sorted((ROOT / "vggviz").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") <= 420 or "locales" in path.parts:
            continue
        doc = ast.get_docstring(ast.parse(text)) or ""
        if "Longer than 400 lines on purpose" not in doc:
            silent.append(f"{path.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    assert not silent, silent
