"""The container image built and started on a machine with no image registry and no Docker engine.

Debian's ``podman`` builds with ``--isolation chroot`` where no daemon runs, and ``buildah run
--isolation chroot`` runs a command in a built image on the host's network (``podman run``
needs cgroup limits that such a machine may refuse). With no registry to pull ``python:3.11-slim``
from, the base is made locally:

1. :func:`base_image`: ``debootstrap --variant=minbase --include=python3,python3-venv bookworm``
   (Debian's own Python 3.11), a virtual environment at ``/opt/venv`` made inside it, then
   ``tar -C ROOT -c . | podman import`` with ``PATH`` leading to that environment, so ``python``
   and ``pip`` mean what they mean in ``python:3.11-slim``. The root's tarball is cached in
   :data:`CACHE` (outside the repository) and reused by later runs.
2. :func:`wheelhouse`: ``pip download -r requirements.txt -d CACHE/wheels`` on the host (the
   image cannot reach the package index's certificate here; a school's server without internet
   builds the same way). Skipped when the folder already holds the wheels of this
   ``requirements.txt`` (a stamp with its hash).
3. :func:`build`: ``podman build --isolation chroot --format docker --build-arg BASE=…
   --volume WHEELS:/wheels:ro``;
   the Dockerfile installs from ``/wheels`` with ``--no-index`` when wheels are there.
4. :func:`start`: ``buildah from`` the image, then ``buildah run --isolation chroot`` the
   image's own command (``streamlit run``) with ``PORT`` set to a free port; stopped with its
   process group.

    .venv/bin/python -m deploy.image build            # base + wheelhouse + image, with timings
    .venv/bin/python -m deploy.image run --port 8600  # build if needed, start it, wait for health

Used by tests/load/test_image.py. ``VGGVIZ_IMAGE_CACHE`` moves the cache (default
``/var/cache/vggviz-base``).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("VGGVIZ_IMAGE_CACHE", "/var/cache/vggviz-base"))
SUITE = "bookworm"
MIRROR = os.environ.get("VGGVIZ_DEBIAN_MIRROR", "http://deb.debian.org/debian")
BASE_TAG = f"localhost/vggviz-base:{SUITE}"
IMAGE_TAG = "localhost/vggviz:local"
VENV_PATH = "/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
TOOLS = ("podman", "buildah", "debootstrap")


def missing_tools() -> list[str]:
    return [t for t in TOOLS if shutil.which(t) is None]


def _run(cmd: list[str], log=None, **kw) -> subprocess.CompletedProcess:
    if log is not None:
        print("$ " + " ".join(cmd), file=log, flush=True)
    return subprocess.run(cmd, check=True, stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT, **kw)


def image_exists(tag: str) -> bool:
    return subprocess.run(["podman", "image", "exists", tag]).returncode == 0


def image_size_mb(tag: str) -> float:
    out = subprocess.run(["podman", "image", "inspect", "--format", "{{.Size}}", tag],
                         check=True, capture_output=True, text=True).stdout
    return int(out.strip()) / 1e6


def base_image(cache: Path = CACHE, tag: str = BASE_TAG, log=None) -> str:
    """A local Debian base with Python 3.11 and ``/opt/venv`` first on PATH, imported as ``tag``
    (reused when it exists; the root's tarball is kept in ``cache``)."""
    if image_exists(tag):
        return tag
    cache.mkdir(parents=True, exist_ok=True)
    tarball = cache / f"{SUITE}-python3.tar"
    if not tarball.exists():
        with tempfile.TemporaryDirectory(dir=cache, prefix="root-") as tmp:
            root = Path(tmp) / "root"
            _run(["debootstrap", "--variant=minbase", "--include=python3,python3-venv", SUITE, str(root), MIRROR],
                 log=log)
            _run(["chroot", str(root), "python3", "-m", "venv", "/opt/venv"], log=log)
            shutil.rmtree(root / "var" / "cache" / "apt" / "archives", ignore_errors=True)
            part = cache / (tarball.name + ".part")
            _run(["tar", "-C", str(root), "-cf", str(part), "."], log=log)
            part.rename(tarball)
    _run(["podman", "import", "--change", f"ENV PATH={VENV_PATH}", "--change", 'CMD ["python3"]',
          str(tarball), tag], log=log)
    return tag


# Wheels the image's interpreter needs although the host's does not: redis requires async-timeout on
# Python < 3.11.3, and Debian bookworm's python3 is 3.11.2 (pip on the host evaluates the marker
# for its own Python).
IMAGE_ONLY = ("async-timeout>=4.0.3",)


def _requirements_hash(requirements: Path) -> str:
    return hashlib.sha256(requirements.read_bytes() + "\n".join(IMAGE_ONLY).encode()).hexdigest()[:16]


def wheelhouse(cache: Path = CACHE, requirements: Path = ROOT / "requirements.txt", log=None) -> Path:
    """Every wheel ``requirements.txt`` needs, downloaded on the host into ``cache/wheels``
    (pip's own configuration decides where from: PyPI, a local index, a ``find-links`` folder)."""
    d = cache / "wheels"
    stamp = d / ".requirements"
    want = _requirements_hash(requirements)
    if stamp.exists() and stamp.read_text().strip() == want:
        return d
    d.mkdir(parents=True, exist_ok=True)
    _run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--only-binary=:all:",
          "-r", str(requirements), *IMAGE_ONLY, "-d", str(d)], log=log)
    stamp.write_text(want + "\n")
    return d


def build(tag: str = IMAGE_TAG, base: str = BASE_TAG, wheels: Path | None = None, context: Path = ROOT,
          log=None, extra: list[str] | None = None) -> float:
    """``podman build`` the Dockerfile from ``base`` with the wheelhouse mounted at /wheels;
    returns the seconds it took."""
    # --format docker keeps the Dockerfile's HEALTHCHECK (the OCI format has none).
    cmd = ["podman", "build", "--isolation", "chroot", "--format", "docker", "--build-arg", f"BASE={base}", "-t", tag]
    if wheels is not None:
        cmd += ["--volume", f"{wheels}:/wheels:ro"]
    cmd += list(extra or []) + [str(context)]
    t0 = time.monotonic()
    _run(cmd, log=log)
    return time.monotonic() - t0


def prepare(cache: Path = CACHE, tag: str = IMAGE_TAG, log=None) -> dict:
    """Base, wheelhouse and image, each timed (seconds) — the cold path on a fresh machine, a
    layer-cached rebuild on a warm one."""
    times = {}
    t0 = time.monotonic()
    base = base_image(cache, log=log)
    times["base_s"] = round(time.monotonic() - t0, 1)
    t0 = time.monotonic()
    wheels = wheelhouse(cache, log=log)
    times["wheelhouse_s"] = round(time.monotonic() - t0, 1)
    times["build_s"] = round(build(tag, base, wheels, log=log), 1)
    times["image_mb"] = round(image_size_mb(tag))
    return times


@dataclass
class Container:
    name: str                # buildah's working container
    url: str                 # http://127.0.0.1:PORT
    proc: subprocess.Popen
    log: Path
    started_s: float = 0.0   # from ``buildah run`` to /_stcore/health answering


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=timeout) as r:  # noqa: S310 - loopback
            return r.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def start(port: int, tag: str = IMAGE_TAG, env: dict[str, str] | None = None, log: Path | None = None,
          timeout: float = 180.0) -> Iterator[Container]:
    """Run the image's command (``streamlit run``, as its CMD) in a working container on the
    host's network, with ``PORT=port``; yields once ``/_stcore/health`` answers and removes the
    container afterwards."""
    name = subprocess.run(["buildah", "from", "--pull-never", tag], check=True, capture_output=True,
                          text=True).stdout.strip().splitlines()[-1]
    log = log or Path(tempfile.mkstemp(prefix="vggviz-container-", suffix=".log")[1])
    cmd = ["buildah", "run", "--isolation", "chroot", "--network", "host", "--env", f"PORT={port}"]
    for k, v in (env or {}).items():
        cmd += ["--env", f"{k}={v}"]
    # The image's own command, as `podman run` would start it.
    cmd += [name, "--", "sh", "-c", 'exec python -m streamlit run streamlit_app.py --server.port "$PORT" '
            "--server.address 127.0.0.1 --server.headless true --browser.gatherUsageStats false"]
    url = f"http://127.0.0.1:{port}"
    t0 = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    c = Container(name, url, proc, log)
    try:
        deadline = t0 + timeout
        while not healthy(url):
            if proc.poll() is not None:
                raise RuntimeError(f"the container exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"no health answer in {timeout:.0f} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        c.started_s = time.monotonic() - t0
        yield c
    finally:
        stop(c)


def stop(c: Container) -> None:
    if c.proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(c.proc.pid, signal.SIGTERM)
        try:
            c.proc.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(c.proc.pid, signal.SIGKILL)
            c.proc.wait(10)
    subprocess.run(["buildah", "rm", c.name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=["build", "run"])
    ap.add_argument("--port", type=int, default=8501)
    ap.add_argument("--tag", default=IMAGE_TAG)
    args = ap.parse_args(argv)
    if missing_tools():
        print(f"missing: {' '.join(missing_tools())} (apt-get install podman buildah debootstrap)", file=sys.stderr)
        return 2
    times = prepare(tag=args.tag, log=sys.stderr)
    print(json.dumps(times))
    if args.what == "run":
        with start(args.port, args.tag) as c:
            print(f"{c.url} healthy after {c.started_s:.1f} s; Ctrl-C stops it", file=sys.stderr)
            with contextlib.suppress(KeyboardInterrupt):
                c.proc.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
