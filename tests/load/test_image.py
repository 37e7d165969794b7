"""The container image, built and started for real (podman from a local Debian base; see
deploy/image.py and tests/load/conftest.py): from the host, ``/_stcore/health`` answers, two
protocol-level students (benchmarks/load_server.py) on the mini VGG11 get the right top-5 and
a Grad-CAM from the bundled shapes weights baked into the image, a link naming a weights file
outside the teacher's folder is refused with one line, and no URL serves a file from outside the
app. Prints the image's size, its build times and its start-up time.

Two of these containers behind deploy/'s nginx: tests/load/test_balancer.py (its
``containers`` replicas)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import subprocess
import sys
import time

import pytest
from support import ROOT

from benchmarks.load_server import Session, http
from benchmarks.server import free_port
from deploy import image

pytestmark = [pytest.mark.load, pytest.mark.slow]
TEACHER_DIR = "/app/assets/models"          # inside the image: the bundled checkpoints, as a teacher's folder


@pytest.fixture(scope="module")
def container(container_image, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("container")
    env = {"VGGVIZ_WEIGHTS": "random", "VGGVIZ_WEIGHTS_DIR": TEACHER_DIR}
    with image.start(free_port(), container_image["tag"], env=env, log=tmp / "container.log") as c:
        print(f"image {container_image['image_mb']} MB; base {container_image['base_s']} s, "
              f"wheelhouse {container_image['wheelhouse_s']} s, build {container_image['build_s']} s; "
              f"started (health answering) in {c.started_s:.1f} s")
        yield c


def _in_thread(coro):
    # playwright's sync API (browser tests) may leave an event loop running in this thread.
    with concurrent.futures.ThreadPoolExecutor(1) as ex:
        return ex.submit(asyncio.run, coro).result()


def test_health_answers_from_the_host(container):
    assert image.healthy(container.url)
    assert container.started_s < 120


def test_students_get_the_right_top5_and_gradcam(container, tmp_path):
    out = tmp_path / "summary.json"
    env = dict(os.environ, VGGVIZ_WEIGHTS="random", PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-m", "benchmarks.load_server", "--users", "2", "--variant", "vgg11_mini",
           "--url", container.url, "--timeout", "150", "--json", str(out)]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert out.exists(), f"no summary (exit {done.returncode}):\n{done.stderr[-3000:]}"
    s = json.loads(out.read_text())
    assert s["errors"] == 0, s["error_details"]
    assert s["correct"] == 2
    for r in s["results"]:       # the in-process top-1 of the same bundled shapes weights, shown as such
        assert r["ok"] and r["shown_top"][:1] == r["expected_top"][:1] and r["weights_shown"] == "shapes"


async def _open_link(url: str, query: str) -> Session:
    s = Session(url)
    await s.connect(60)
    since = await s.rerun(page_name="forward_pass", query=query)
    await s.wait_done(since, time.monotonic() + 120, "the Forward-pass page")
    return s


@pytest.mark.parametrize("asked", ["dir:../../../etc/passwd", "/app/requirements.txt", "dir:vgg11_mini.pth"])
def test_a_weights_file_named_in_a_link_is_refused(container, asked):
    """Weights come from a list the server makes (its teacher's folder, by name); a link that
    names any file, inside that folder or not, shows one line and keeps the default."""
    async def go():
        s = await _open_link(container.url, f"weights={asked}")
        try:
            return list(s.alerts), list(s.sidebar_markdown), list(s.errors)
        finally:
            await s.close()

    alerts, markdown, errors = _in_thread(go())
    assert not errors, errors
    infos = [body for fmt, body in alerts if fmt == 3]       # Alert.Format.INFO
    assert any("default" in b for b in infos), alerts
    used = [m for m in markdown if m.startswith("Weights in use:")]
    assert used and "random" in used[0], used                 # the server's default, not the file


@pytest.mark.parametrize("path", ["/media/../../../../etc/passwd", "/media/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                                  "/app/static/../../../../etc/passwd", "/app/static/%2e%2e%2f%2e%2e%2fapp%2frequirements.txt",
                                  "/static/../../../../etc/passwd", "/_stcore/../../requirements.txt"])
def test_no_url_serves_a_file_from_outside_the_app(container, path):
    status, _headers, body = _in_thread(http(container.url + path, timeout=30))
    assert b"root:x:0:0" not in body and b"torch==" not in body, (status, body[:200])
    assert status in (400, 403, 404), (status, body[:200])
