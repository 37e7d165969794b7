"""axe-core (bundled by ``axe-playwright-python``, nothing downloaded) run on pages of the real app.

Used by tests/browser/test_a11y.py, and on its own to measure every page in both languages:

    VGGVIZ_WEIGHTS=random .venv/bin/python tests/browser/axe_audit.py [--json out.json]

prints the critical and serious findings per rule (nodes summed over the page views), split
into the app's own and the allow-listed ones from Streamlit's markup (ALLOWED)."""

from __future__ import annotations

import collections
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
for _p in (HERE, HERE.parents[1]):     # run as a script
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from st_browser import open_page  # noqa: E402

# Every page view the audit makes: the mini VGG16 on shapes weights, the cat sample.
LINK = "variant=vgg16_mini&weights=shapes&sample=cat"
LANGS = ("en", "zh")
SERIOUS = ("critical", "serious")
# WCAG 2.0/2.1 A and AA rules plus axe's best practices (heading order, landmarks).
AXE_OPTIONS = {"resultTypes": ["violations"],
               "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}


@dataclass(frozen=True)
class Allowed:
    """A finding in markup only Streamlit can change: the rule and a CSS selector every node
    of the finding must match (``element.matches``), with the reason."""
    rule: str
    selector: str
    reason: str


# Streamlit 1.67's own markup (docs/accessibility.md has a minimal reproduction of each).
ALLOWED: tuple[Allowed, ...] = (
    Allowed("list", '[data-testid="stSidebarNavItems"]',
            "st.navigation's sidebar renders each section's <ul> with <header> and <div> children "
            "between the <li> items; only Streamlit's frontend can change that markup"),
    Allowed("listitem", '[data-testid="stSidebarNavItems"] li',
            "the same sidebar navigation: its <li> items sit inside a <div>, not directly in the <ul>"),
)


@dataclass
class Audit:
    """Critical and serious axe findings of a set of page views: ``own[rule]`` and
    ``allowed[rule]`` count nodes; ``where[rule]`` names the views and the first targets."""
    own: collections.Counter = field(default_factory=collections.Counter)
    allowed: collections.Counter = field(default_factory=collections.Counter)
    where: dict = field(default_factory=lambda: collections.defaultdict(list))
    views: int = 0

    def summary(self) -> str:
        lines = [f"{self.views} page views; critical/serious nodes per rule"]
        for title, counts in (("app", self.own), ("allow-listed (Streamlit)", self.allowed)):
            lines.append(f"  {title}: {sum(counts.values())}")
            lines += [f"    {rule}: {n}" for rule, n in sorted(counts.items())]
        return "\n".join(lines)


def _allowed(page, rule: str, node: dict) -> bool:
    sels = [a.selector for a in ALLOWED if a.rule == rule]
    if not sels:
        return False
    target = node["target"][-1] if node["target"] else None
    if not isinstance(target, str):
        return False
    return bool(page.evaluate(
        "([t, sels]) => { const e = document.querySelector(t); return !!e && sels.some(s => e.matches(s) || !!e.closest(s)); }",
        [target, sels]))


def audit_page(page, view: str, into: Audit) -> list[dict]:
    """Run axe on the page as it stands; add its critical and serious nodes to ``into``.
    Returns the raw violations."""
    from axe_playwright_python.sync_playwright import Axe

    res = Axe().run(page, options=AXE_OPTIONS).response
    into.views += 1
    for v in res["violations"]:
        for node in v["nodes"]:
            impact = node.get("impact") or v.get("impact")
            if impact not in SERIOUS:
                continue
            if _allowed(page, v["id"], node):
                into.allowed[v["id"]] += 1
            else:
                into.own[v["id"]] += 1
                if len(into.where[v["id"]]) < 40:
                    msgs = [m["message"] for m in node.get("any", []) + node.get("all", []) + node.get("none", [])]
                    into.where[v["id"]].append(f"{view}: {node['target']} {node['html'][:160]} {msgs[:1]}")
    return res["violations"]


def view_url(path: str, lang: str) -> str:
    return f"{path}?{LINK}" + ("&lang=zh" if lang == "zh" else "")


def main(argv: list[str] | None = None) -> int:
    import argparse

    from playwright.sync_api import sync_playwright
    from test_pages import PAGES

    from benchmarks.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="write the findings (per rule, per view) here")
    ap.add_argument("--pages", nargs="*", default=PAGES)
    ap.add_argument("--langs", nargs="*", default=list(LANGS))
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=1000)
    args = ap.parse_args(argv)
    audit = Audit()
    with streamlit_server() as srv, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        ctx = b.new_context(viewport={"width": args.width, "height": args.height})
        page = ctx.new_page()
        page.set_default_timeout(120_000)
        page.base_url = srv.url
        moderate: collections.Counter = collections.Counter()
        for lang in args.langs:
            for path in args.pages:
                open_page(page, view_url(path, lang))
                page.wait_for_timeout(1500)     # images and charts drawn
                for v in audit_page(page, f"{lang}/{path}", audit):
                    if v["impact"] not in SERIOUS:
                        moderate[f"{v['id']} ({v['impact']})"] += len(v["nodes"])
                print(f"{lang}/{path}: app {sum(audit.own.values())} so far", flush=True)
        b.close()
    print(audit.summary())
    print("  moderate/minor: " + ", ".join(f"{k}: {n}" for k, n in sorted(moderate.items())))
    if args.json:
        args.json.write_text(json.dumps({"own": audit.own, "allowed": audit.allowed, "where": audit.where,
                                         "moderate": moderate, "views": audit.views}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
