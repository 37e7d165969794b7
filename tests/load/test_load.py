"""A short classroom: 6 students at once on one real server (browser contexts in one Chromium),
each with their own image, on VGG11. Every one must get THEIR result (the top-5 classes that
vggviz.inference.analysis.analyze gives for their image, their own file name), with no error, and the
server must hold each model once (RSS bound). benchmarks/load_test.py runs the full 30 on VGG16."""

from __future__ import annotations

import os

import pytest
from support import ROOT

from benchmarks.load_test import report, run_load  # noqa: E402
from benchmarks.server import CHROMIUM, chromium_available  # noqa: E402

pytestmark = [pytest.mark.load, pytest.mark.browser]
USERS = 6


@pytest.fixture(scope="module")
def classroom():
    if not chromium_available():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI: {CHROMIUM} is missing; the load test must run in CI", pytrace=False)
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    shots = ROOT / "artifacts" / "screenshots" / "load"
    summary = run_load(users=USERS, variant="vgg11", timeout_s=300, screenshots=shots, quiet=True)
    print("\n" + report(summary))
    return summary


def test_every_user_is_served_without_error(classroom):
    assert classroom["errors"] == 0, "\n".join(classroom["error_details"])
    assert classroom["served"] == USERS


def test_every_user_sees_their_own_result(classroom):
    for r in classroom["results"]:
        assert r["own_name_shown"], f"user {r['user']} does not see their own file name"
        assert r["shown_top"][:1] == r["expected_top"][:1], (
            f"user {r['user']} sees top-1 {r['shown_top'][:1]}, their image gives {r['expected_top'][:1]}")
    tops = {tuple(r["shown_top"]) for r in classroom["results"]}
    assert len(tops) > 1, "every user was shown the same top-5: results are not per image"


def test_server_memory_is_bounded(classroom):
    assert classroom["rss_peak_mb"] > 0
    assert classroom["rss_within_bound"], (
        f"server peak RSS {classroom['rss_peak_mb']:.0f} MB over the bound "
        f"{classroom['rss_bound_mb']:.0f} MB (each model once + base + per-user results)")
