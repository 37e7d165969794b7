"""The deployment files that cannot run here (no Docker daemon, no cluster): the Dockerfile's
instructions, the compose nginx configuration in step with deploy/local.py, the manifests'
key settings, and .ci/run installing nginx for tests/test_balancer.py. Fast; no server."""

from __future__ import annotations

import re

from support import ROOT

from deploy.local import render_compose, render_site  # noqa: E402


def instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", text)                       # join continued lines
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_base_is_python_311_slim_with_a_base_arg():
    ins = instructions()
    assert ins[0] == ("ARG", "BASE=python:3.11-slim")
    assert ("FROM", "${BASE}") in ins


def test_dockerfile_runs_as_non_root():
    users = [rest for word, rest in instructions() if word == "USER"]
    assert users and users[-1] not in ("root", "0", "0:0")
    assert any(word == "RUN" and "useradd" in rest and users[-1] in rest for word, rest in instructions())


def test_dockerfile_healthcheck_port_and_command():
    ins = instructions()
    hc = [rest for word, rest in ins if word == "HEALTHCHECK"]
    assert hc and "deploy/healthcheck.py" in hc[0]
    assert "/_stcore/health" in (ROOT / "deploy" / "healthcheck.py").read_text()
    assert ("EXPOSE", "8501") in ins
    env = " ".join(rest for word, rest in ins if word == "ENV")
    assert "PORT=8501" in env and "MALLOC_ARENA_MAX=2" in env and "TORCH_HOME=" in env
    cmd = [rest for word, rest in ins if word == "CMD"][-1]
    for part in ('--server.port \\"$PORT\\"', "--server.address 0.0.0.0", "--server.headless true",
                 "streamlit run streamlit_app.py"):
        assert part in cmd, part


def test_dockerfile_bakes_weights_when_asked():
    ins = instructions()
    assert ("ARG", 'WEIGHTS=""') in ins
    assert any(word == "ARG" and rest.startswith("TORCH_INDEX=") for word, rest in ins)
    fetch = [rest for word, rest in ins if word == "RUN" and "weights fetch" in rest]
    assert fetch and "python -m vggviz weights fetch $WEIGHTS" in fetch[0]
    assert any(word == "RUN" and "-r requirements.txt" in rest for word, rest in ins)
    # the fetch runs after the library is copied and before USER (it writes into TORCH_HOME)
    words = [w for w, _ in ins]
    i_fetch = next(i for i, (w, r) in enumerate(ins) if "weights fetch" in r)
    assert any(w == "COPY" and r.startswith("vggviz") for w, r in ins[:i_fetch])
    assert i_fetch < words.index("USER")


def test_dockerignore_keeps_what_the_image_needs():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    for excluded in (".git", ".venv", "artifacts", "tests"):
        assert excluded in lines
    for needed in ("vggviz", "assets", "deploy", ".streamlit", "pages", "streamlit_app.py", "requirements.txt"):
        assert needed not in lines
    assert "!assets/**/*.pth" in lines          # the mini family's shapes weights ship in assets/


def test_compose_nginx_config_is_generated():
    assert (ROOT / "deploy" / "nginx" / "compose.conf").read_text() == render_compose()


def test_nginx_site_has_sticky_sessions_websocket_and_limits():
    site = render_site(["127.0.0.1:1", "127.0.0.1:2"], "127.0.0.1:3", "/tmp/x.log")
    assert "hash $vggviz_sticky consistent;" in site
    assert "location /_stcore/stream" in site and "proxy_set_header Upgrade $http_upgrade;" in site
    assert "proxy_read_timeout 3600s;" in site
    assert "client_max_body_size 30m;" in site
    assert site.count("max_fails=1 fail_timeout=10s;") == 2


def test_compose_and_k8s_key_settings():
    compose = (ROOT / "deploy" / "docker-compose.yml").read_text()
    for s in ("app1: *app", "app2: *app", "app3: *app", "./nginx/compose.conf:/etc/nginx/conf.d/default.conf",
              "condition: service_healthy", 'MALLOC_ARENA_MAX: "2"'):
        assert s in compose, s
    k8s = (ROOT / "deploy" / "k8s" / "vggviz.yaml").read_text()
    for s in ("sessionAffinity: ClientIP", "path: /_stcore/health", "runAsNonRoot: true",
              "nginx.ingress.kubernetes.io/affinity: cookie", "proxy-read-timeout"):
        assert s in k8s, s


def _ci_needed() -> dict[str, str]:
    """.ci/run's NEEDED list: file → the Debian package installed when the file is missing."""
    ci = (ROOT / ".ci" / "run").read_text()
    block = re.search(r'NEEDED="([^"]*)"', ci).group(1)
    return dict(pair.split(":", 1) for pair in block.split())


def test_ci_installs_what_the_tests_need_when_missing():
    """nginx (the balancer), redis-server (the quiz's shared answers), podman, buildah and
    debootstrap (the image), chromium and its fonts (the browser tests): each installed when
    its file is missing, by the one apt-get line that installs the missing ones."""
    needed = _ci_needed()
    for file, package in {"/usr/sbin/nginx": "nginx", "/usr/bin/redis-server": "redis-server",
                          "/usr/bin/podman": "podman", "/usr/bin/buildah": "buildah",
                          "/usr/sbin/debootstrap": "debootstrap", "/usr/bin/chromium": "chromium"}.items():
        assert needed.get(file) == package, (file, package)
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"apt-get install -y -qq \$missing", ci)


def test_access_log_parser_keeps_every_tried_upstream(tmp_path):
    from deploy.local import Balancer

    (tmp_path / "access.log").write_text(
        '127.0.0.1 [29/Nov/2026:01:28:38 +0000] "GET /_stcore/health HTTP/1.1" 200 2 key=student2 '
        'upstream=127.0.0.1:44971, 127.0.0.1:48873 upstream_status=502, 200 rt=0.339\n')
    (e,) = Balancer("http://x", tmp_path, None).log_entries()
    assert e["request"] == "GET /_stcore/health HTTP/1.1" and e["key"] == "student2"
    assert e["upstream"] == "127.0.0.1:44971, 127.0.0.1:48873" and e["upstream_status"] == "502, 200"


def test_load_client_cookie_flag():
    import pytest

    from benchmarks.load_server import main, user_cookies

    assert user_cookies("vggviz_client=a,b", 3) == {"vggviz_client": "b"}
    assert user_cookies(None, 0) == {}
    with pytest.raises(ValueError):
        user_cookies("=x", 0)
    assert main(["--users", "1", "--url", "http://127.0.0.1:9", "--client-cookie", "novalue="]) == 2


def test_every_dependency_has_a_tested_upper_bound():
    """A school installing next year gets the versions the suite passed on: every requirement
    is pinned (==) or bounded above (<), and the installed version is inside the range."""
    from importlib.metadata import version

    from packaging.requirements import Requirement

    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if not line or line.startswith("-r"):
                continue
            req = Requirement(line)
            assert any(s.operator in ("==", "<", "~=") for s in req.specifier), f"{name}: {line} has no upper bound"
            assert req.specifier.contains(version(req.name), prereleases=True), \
                f"{name}: installed {req.name} {version(req.name)} is outside {req.specifier}"
