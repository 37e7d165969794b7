"""The server alone, over Streamlit's own protocol: a short run of benchmarks/load_server.py
(3 simulated students on the mini VGG11, no browser) must serve everyone their own result with
no error and print the JSON line the benchmark promises; the client refuses what it must."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest
from support import ROOT

from benchmarks import load_server  # noqa: E402

pytestmark = pytest.mark.load
USERS = 3
VARIANT = "vgg11_mini"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("load_server") / "summary.json"
    env = dict(os.environ, VGGVIZ_WEIGHTS="random", PYTHONUNBUFFERED="1")
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.load_server", "--users", str(USERS),
         "--variant", VARIANT, "--timeout", "150", "--json", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=210,
    )
    print(proc.stderr[-3000:])
    lines = proc.stdout.strip().splitlines()
    assert lines, f"no output (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
    return proc.returncode, json.loads(lines[-1]), json.loads(out.read_text())


def test_every_user_served_without_error(run):
    code, line, _ = run
    assert line["errors"] == 0, "\n".join(line["error_details"])
    assert line["users"] == USERS and line["correct"] == USERS
    assert code == 0


def test_json_line_has_the_promised_figures(run):
    _, line, _ = run
    for key in load_server.JSON_KEYS:
        assert key in line, key
    for key in ("p50_s", "p95_s", "max_s", "gradcam_p95_s", "floor_s", "server_cpu_s", "peak_rss_mb"):
        assert isinstance(line[key], (int, float)) and line[key] > 0, (key, line[key])
    assert line["p50_s"] <= line["p95_s"] <= line["max_s"]
    # floor = N × one in-process analysis ÷ cores
    assert line["floor_s"] == pytest.approx(USERS * line["analysis_s"] / line["cores"])
    assert line["peak_rss_mb"] > 100        # a server with torch loaded, sampled by pid


def test_every_user_got_their_own_result(run):
    _, _, full = run
    assert full["weights"] == "shapes"      # the mini family's bundled weights, as the sidebar picks
    for r in full["results"]:
        assert r["ok"], r["error"]
        assert r["own_name_shown"], f"user {r['user']} does not see their own file name"
        assert r["weights_shown"] == "shapes"
        assert len(r["shown_top"]) == 5
        assert r["shown_top"][:1] == r["expected_top"][:1], (
            f"user {r['user']}: top-1 shown {r['shown_top'][:1]}, their image gives {r['expected_top'][:1]}")
        assert r["t_result"] > 0 and r["t_gradcam"] > 0


# --------------------------------------------------------------------------- no server needed


@pytest.mark.parametrize("url", ["http://192.0.2.1:8501", "http://10.0.0.7", "ftp://127.0.0.1", "not a url"])
def test_refuses_non_loopback_urls(url):
    with pytest.raises(ValueError):
        load_server.check_loopback(url)
    assert load_server.main(["--users", "1", "--url", url]) == 2


@pytest.mark.parametrize("url", ["http://127.0.0.1:8501/", "http://localhost:8501", "http://[::1]:8501"])
def test_accepts_loopback_urls(url):
    try:
        assert load_server.check_loopback(url) == url.rstrip("/")
    except ValueError as e:
        if "cannot resolve" in str(e):
            pytest.skip(f"no resolver for {url} here")
        raise


@pytest.mark.parametrize("users", ["0", str(load_server.MAX_USERS + 1)])
def test_bounded_number_of_users(users):
    assert load_server.main(["--users", users, "--url", "http://127.0.0.1:9"]) == 2


def test_images_are_distinct_per_user():
    for variant, n in (("vgg11_mini", load_server.MAX_USERS), ("vgg11", 24)):
        digests = {hashlib.sha256(load_server.make_image(i, variant)[1]).hexdigest() for i in range(n)}
        assert len(digests) == n, variant


def test_top5_marker_reads_the_apps_own_chart():
    """The marker parses the figure vggviz.figures.prediction.topk_figure makes (most likely first)."""
    from types import SimpleNamespace

    from vggviz.figures.prediction import topk_figure

    top = [SimpleNamespace(label=f"class {i}", index=i, prob=p)
           for i, p in ((7, 0.5), (3, 0.2), (912, 0.1), (0, 0.05), (41, 0.01))]
    assert load_server._top_from_plotly(topk_figure(top).to_json()) == [7, 3, 912, 0, 41]
    assert load_server._top_from_plotly('{"data": [{"type": "heatmap"}]}') is None
