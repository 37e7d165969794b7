"""The tests' layout (tests/README.md): every library module has its own test file in tests/unit,
in the folder that mirrors its subpackage, listed in the README's table; no test file sits
directly in tests/."""

from __future__ import annotations

import re

from support import ROOT

TESTS = ROOT / "tests"
# Modules tested another way, as tests/README.md says.
ELSEWHERE = {"vggviz/__init__.py", "vggviz/__main__.py", "vggviz/explain/attribution/__init__.py"}


def _modules() -> list[str]:
    pkg = ROOT / "vggviz"
    found = [p for p in pkg.rglob("*.py") if "locales" not in p.relative_to(pkg).parts
             and not (p.name == "__init__.py" and p.parent != pkg and p.read_text().count("\n") <= 1)]
    return sorted(str(p.relative_to(ROOT)) for p in found) + ["vggviz/locales/"]


def _table() -> dict[str, list[str]]:
    """Module → the test files its row names (the paths in the row's second column)."""
    rows = {}
    for line in (TESTS / "README.md").read_text().splitlines():
        cells = line.split("|")
        if len(cells) < 4:
            continue
        for module in re.findall(r"`(vggviz/[\w/.]*)`", cells[1]):
            rows[module] = re.findall(r"`((?:unit|app|browser|load)/[\w/]+\.py)`", cells[2])
    return rows


def test_the_readme_lists_every_module_with_existing_test_files():
    table = _table()
    unlisted = [m for m in _modules() if m not in table]
    assert not unlisted, f"add these to tests/README.md's table: {unlisted}"
    missing = {m: t for m, ts in table.items() for t in ts if not (TESTS / t).is_file()}
    assert not missing, f"tests/README.md names test files that do not exist: {missing}"


def test_every_module_has_a_unit_test_file_in_its_mirrored_folder():
    table = _table()
    wrong = []
    for m in _modules():
        if m in ELSEWHERE or m.startswith("vggviz/app/") or m == "vggviz/locales/":
            continue
        folder = "/".join(["unit", *m.split("/")[1:-1]])
        if not any(t.rsplit("/", 1)[0] == folder for t in table.get(m, [])):
            wrong.append(m)
    assert not wrong, f"these modules have no test file in tests/<their subpackage's folder>: {wrong}"


def test_no_test_file_outside_a_kind_folder():
    stray = sorted(p.name for p in TESTS.glob("test_*.py"))
    assert not stray, f"move these into tests/unit, tests/app, tests/browser or tests/load: {stray}"


def test_test_file_names_are_unique():
    names = [p.name for p in TESTS.rglob("test_*.py")]
    assert len(names) == len(set(names)), "pytest imports test files by their base name"
