"""The tests' layout (tests/README.md): every library module has its own test file in tests/unit,
named after it, and listed in the README's table; no test file sits directly in tests/."""

from __future__ import annotations

from support import ROOT

TESTS = ROOT / "tests"
# Modules tested another way, as tests/README.md says.
ELSEWHERE = {"vggviz/__init__.py", "vggviz/__main__.py", "vggviz/ui.py", "vggviz/attribution/__init__.py",
             "vggviz/lab/__init__.py"}


def _modules() -> list[str]:
    pkg = ROOT / "vggviz"
    found = [p for p in pkg.rglob("*.py") if "locales" not in p.relative_to(pkg).parts]
    return sorted(str(p.relative_to(ROOT)) for p in found) + ["vggviz/locales/"]


def _test_file(module: str):
    parts = module.removeprefix("vggviz/").removesuffix("/").removesuffix(".py").split("/")
    return TESTS / "unit" / "/".join(parts[:-1]) / f"test_{parts[-1]}.py"


def test_every_module_has_its_test_file():
    missing = [m for m in _modules() if m not in ELSEWHERE and not _test_file(m).is_file()]
    assert not missing, f"modules without tests/unit/test_<module>.py: {missing}"


def test_the_readme_lists_every_module():
    readme = (TESTS / "README.md").read_text()
    unlisted = [m for m in _modules() if f"`{m}`" not in readme]
    assert not unlisted, f"add these to tests/README.md's table: {unlisted}"


def test_no_test_file_outside_a_kind_folder():
    stray = sorted(p.name for p in TESTS.glob("test_*.py"))
    assert not stray, f"move these into tests/unit, tests/app, tests/browser or tests/load: {stray}"
