"""Two replicas behind Debian's nginx with deploy/'s sticky-session configuration, tested on
loopback: the protocol-level client (benchmarks/load_server.py, 4 students on the mini VGG11)
through the balancer gets every result with no error, each student's requests (health,
websocket, upload, media) all reach one replica; then one replica is killed mid-run: its
students reconnect to the other and get a result after reloading, the others are unaffected.

Every test runs twice: with the replicas as ``streamlit run`` processes, and as two containers
of the image (deploy/image.py: built by podman, started with ``buildah run`` on the host's
network; marked slow, built once per session by tests/load/conftest.py).

Skips without nginx on a developer's machine; fails in CI (CI=true: .ci/run installs it)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path

import pytest
from support import ROOT

from benchmarks.server import free_port, streamlit_server  # noqa: E402
from deploy import image  # noqa: E402
from deploy.local import STICKY_COOKIE, balancer, nginx_binary  # noqa: E402

pytestmark = pytest.mark.load
VARIANT = "vgg11_mini"
PER_REPLICA = 2          # students per replica in each wave


@pytest.fixture(scope="module", params=["processes", pytest.param("containers", marks=pytest.mark.slow)])
def cluster(request, tmp_path_factory):
    if not nginx_binary():
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is not installed (.ci/run installs Debian's nginx)")
        pytest.skip("nginx not installed (apt-get install nginx)")
    tmp = tmp_path_factory.mktemp(f"balancer-{request.param}")
    env = {"VGGVIZ_WEIGHTS": "random", "MALLOC_ARENA_MAX": "2"}
    with ExitStack() as stack:
        if request.param == "containers":
            tag = request.getfixturevalue("container_image")["tag"]
            replicas = [stack.enter_context(image.start(free_port(), tag, env=env, log=tmp / f"replica-{i}.log",
                                                        timeout=150))
                        for i in range(2)]
        else:
            replicas = [stack.enter_context(streamlit_server(env=env, log=tmp / f"replica-{i}.log", timeout=150))
                        for i in range(2)]
        addrs = [r.url.split("//", 1)[1] for r in replicas]
        for r in replicas:      # the teacher opens each replica's start page (the client warms only one)
            # In its own thread: the browser tests' playwright (sync API) may leave an event
            # loop running in this one, and asyncio.run refuses to nest.
            with concurrent.futures.ThreadPoolExecutor(1) as ex:
                ex.submit(asyncio.run, open_start_page(r.url)).result()
        lb = stack.enter_context(balancer(addrs, free_port(), prefix=tmp / "nginx", fail_timeout="30s"))
        yield {"replicas": replicas, "addrs": addrs, "lb": lb, "tmp": tmp,
               "cookies": pick_cookies(lb.url, addrs)}


async def open_start_page(url: str) -> None:
    from benchmarks.load_server import Session

    s = Session(url)
    try:
        await s.connect(60)
        since = await s.rerun(page_name="")
        await s.wait_done(since, time.monotonic() + 120, "the start page")
    finally:
        await s.close()


def upstream_of(url: str, key: str) -> str:
    req = urllib.request.Request(url + "/_stcore/health", headers={"Cookie": f"{STICKY_COOKIE}={key}"})
    with urllib.request.urlopen(req, timeout=10) as r:   # noqa: S310 - loopback
        return r.headers["X-Upstream"]


def pick_cookies(url: str, addrs: list[str]) -> dict[str, list[str]]:
    """PER_REPLICA sticky keys that the balancer's hash puts on each replica (ports are random,
    so which key lands where changes from run to run)."""
    by: dict[str, list[str]] = {a: [] for a in addrs}
    for n in range(64):
        key = f"student{n}"
        up = upstream_of(url, key)
        if len(by[up]) < PER_REPLICA:
            by[up].append(key)
        if all(len(v) == PER_REPLICA for v in by.values()):
            return by
    raise AssertionError(f"64 keys did not give {PER_REPLICA} per replica: {by}")


def load_client(url: str, keys: list[str], out: Path, ramp: float = 0.0, wait: bool = True):
    env = dict(os.environ, VGGVIZ_WEIGHTS="random", PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-m", "benchmarks.load_server", "--users", str(len(keys)),
           "--variant", VARIANT, "--url", url, "--client-cookie", f"{STICKY_COOKIE}={','.join(keys)}",
           "--ramp", str(ramp), "--timeout", "120", "--json", str(out)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if not wait:
        return proc
    return finish(proc, out)


def finish(proc, out: Path) -> dict:
    stdout, stderr = proc.communicate(timeout=180)
    print(stderr[-3000:])
    assert out.exists(), f"no summary (exit {proc.returncode}):\n{stderr[-3000:]}\n{stdout[-1000:]}"
    return json.loads(out.read_text())


def upstreams_by_key(entries) -> dict[str, dict[str, list[str]]]:
    """key → upstream → the requests it served. After a refused try nginx logs "dead, live"
    (and statuses "502, 200"): the last address is the one that served the request."""
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for e in entries:
        tries = [u for u in e.get("upstream", "-").replace(",", " ").split() if u != "-"]
        if tries:
            out[e.get("key", "")][tries[-1]].append(e.get("request", ""))
    return out


def test_every_student_is_served_by_one_replica(cluster):
    lb, cookies = cluster["lb"], cluster["cookies"]
    keys = [k for pair in zip(*cookies.values(), strict=True) for k in pair]     # alternate replicas
    start = len(lb.log_entries())
    summary = load_client(lb.url, keys, cluster["tmp"] / "wave1.json")
    assert summary["errors"] == 0, summary["error_details"]
    assert summary["correct"] == len(keys)
    seen = upstreams_by_key(lb.log_entries()[start:])
    for addr, mine in cookies.items():
        for key in mine:
            assert set(seen[key]) == {addr}, f"{key}: served by {dict(seen[key])}, expected only {addr}"
            reqs = " ".join(seen[key][addr])
            for what in ("GET /_stcore/health", "GET /_stcore/stream", "PUT /_stcore/upload_file/", "GET /media/"):
                assert what in reqs, f"{key}: no {what!r} through the balancer: {seen[key][addr]}"


def test_a_replica_dies_mid_run(cluster):
    lb, cookies, (r0, r1) = cluster["lb"], cluster["cookies"], cluster["replicas"]
    dead, alive = cluster["addrs"]
    keys = [k for pair in zip(cookies[dead], cookies[alive], strict=True) for k in pair]   # dead, alive, dead, alive
    start = len(lb.log_entries())
    out = cluster["tmp"] / "wave2.json"
    proc = load_client(lb.url, keys, out, ramp=1.5, wait=False)
    # Kill the replica (SIGKILL: a crash) once its first student's upload went through.
    deadline, killed_at = time.monotonic() + 150, None
    while time.monotonic() < deadline and proc.poll() is None:
        new = lb.log_entries()[start:]
        if any(e.get("request", "").startswith("PUT /_stcore/upload_file/") and dead in e.get("upstream", "")
               for e in new):
            os.killpg(r0.proc.pid, signal.SIGKILL)
            r0.proc.wait(10)
            killed_at = len(lb.log_entries())
            break
        time.sleep(0.05)
    summary = finish(proc, out)
    assert killed_at is not None, "no upload reached the replica to kill"
    by_user = {r["user"]: r for r in summary["results"]}
    for i, key in enumerate(keys):
        r = by_user[i]
        if key in cookies[alive]:        # the other replica's students: unaffected
            assert r["ok"], f"{key} (on the live replica) failed: {r['error']}"
        elif not r["ok"]:                # the dead replica's: a lost connection, never a wrong result
            assert "top-1" not in r["error"] and "own file name" not in r["error"], r["error"]
    interrupted = [keys[i] for i, r in by_user.items() if not r["ok"]]
    print(f"killed {dead} after its first upload; students whose run was cut: {interrupted}")
    assert interrupted, "the kill interrupted nobody: the test did not test failover"
    # The live replica's students never left it.
    seen = upstreams_by_key(lb.log_entries()[start:])
    for key in cookies[alive]:
        assert set(seen[key]) == {alive}, f"{key}: served by {dict(seen[key])}"

    # They reload: the balancer sends the dead replica's students to the live one, with results.
    start = len(lb.log_entries())
    out3 = cluster["tmp"] / "wave3.json"
    again = load_client(lb.url, cookies[dead], out3)
    assert again["errors"] == 0, again["error_details"]
    assert again["correct"] == len(cookies[dead])
    seen = upstreams_by_key(lb.log_entries()[start:])
    for key in cookies[dead]:
        assert set(seen[key]) == {alive}, f"{key} after the reload: served by {dict(seen[key])}"
    assert r1.proc.poll() is None


def test_container_healthcheck_script(cluster):
    r1 = cluster["replicas"][1]
    port = r1.url.rsplit(":", 1)[1]
    ok = subprocess.run([sys.executable, str(ROOT / "deploy" / "healthcheck.py"), "--port", port],
                        capture_output=True, text=True, timeout=30)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([sys.executable, str(ROOT / "deploy" / "healthcheck.py"), "--port", str(free_port())],
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode == 1 and "unhealthy" in bad.stderr
