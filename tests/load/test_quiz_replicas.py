"""The class's quiz answers behind two replicas: Debian's redis-server (no persistence) shared by
two app servers behind deploy/'s nginx (sticky sessions). A student on each replica answers in
predict-first mode in Chromium; the teacher's presenter view, on either replica, counts both
answers; what Redis holds names no student.

Skips without nginx, redis-server or chromium on a developer's machine; fails in CI (CI=true:
.ci/run installs them)."""

from __future__ import annotations

import os
import urllib.request
from contextlib import ExitStack

import pytest

from benchmarks.server import CHROMIUM, CHROMIUM_ARGS, chromium_available, free_port, streamlit_server  # noqa: E402
from deploy.local import STICKY_COOKIE, balancer, nginx_binary, redis_binary, redis_server  # noqa: E402

pytestmark = [pytest.mark.load, pytest.mark.browser]
QUESTION = "architecture?variant=vgg16_mini&predict=1&q=fc6_share"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    missing = [n for n, ok in (("nginx", nginx_binary()), ("redis-server", redis_binary()),
                                ("chromium", chromium_available())) if not ok]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{', '.join(missing)} not installed (.ci/run installs them)")
        pytest.skip(f"{', '.join(missing)} not installed")
    tmp = tmp_path_factory.mktemp("quiz")
    with ExitStack() as stack:
        redis = stack.enter_context(redis_server(free_port()))
        env = {"VGGVIZ_WEIGHTS": "random", "MALLOC_ARENA_MAX": "2", "VGGVIZ_REDIS_URL": redis.url}
        replicas = [stack.enter_context(streamlit_server(env=env, log=tmp / f"replica-{i}.log", timeout=150))
                    for i in range(2)]
        addrs = [r.url.split("//", 1)[1] for r in replicas]
        lb = stack.enter_context(balancer(addrs, free_port(), prefix=tmp / "nginx"))
        yield {"lb": lb, "addrs": addrs, "redis": redis, "keys": one_key_per_replica(lb.url, addrs)}


def one_key_per_replica(url: str, addrs: list[str]) -> dict[str, str]:
    """A sticky cookie value that nginx's hash sends to each replica."""
    found: dict[str, str] = {}
    for n in range(64):
        key = f"browser{n}"
        req = urllib.request.Request(url + "/_stcore/health", headers={"Cookie": f"{STICKY_COOKIE}={key}"})
        with urllib.request.urlopen(req, timeout=10) as r:   # noqa: S310 - loopback
            found.setdefault(r.headers["X-Upstream"], key)
        if len(found) == len(addrs):
            return {a: found[a] for a in addrs}
    raise AssertionError(f"64 keys did not reach every replica: {found}")


def in_own_browser(fn, *args):
    """Run ``fn(browser, *args)`` with a Chromium of its own, in a thread of its own: the browser
    tests' session-wide playwright (sync API) keeps an event loop in this thread, and a second
    sync playwright refuses to start inside it."""
    import concurrent.futures

    def run():
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                return fn(b, *args)
            finally:
                b.close()

    with concurrent.futures.ThreadPoolExecutor(1) as ex:
        return ex.submit(run).result()


def open_as(browser, url: str, key: str, path: str):
    from st_browser import LONG, SIDEBAR, wait_idle

    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.add_cookies([{"name": STICKY_COOKIE, "value": key, "url": url}])
    pg = ctx.new_page()
    pg.set_default_timeout(LONG)
    pg.base_url = url  # type: ignore[attr-defined]
    pg.goto(f"{url}/{path}", wait_until="domcontentloaded")
    pg.wait_for_selector(SIDEBAR, state="attached")       # (hidden in the presenter view)
    wait_idle(pg)
    return ctx, pg


def students_then_teacher(browser, cluster, truth):
    from st_browser import MAIN, exceptions, wait_idle

    lb, keys = cluster["lb"], cluster["keys"]
    start = len(lb.log_entries())
    contexts = []
    try:
        for addr, answer in zip(cluster["addrs"], (f"{truth:.0f}", "74"), strict=True):
            ctx, pg = open_as(browser, lb.url, keys[addr], QUESTION)
            contexts.append(ctx)
            pg.locator(f"{MAIN} .st-key-vggviz_quiz_in_architecture_fc6_share input").first.fill(answer)
            pg.locator(MAIN).get_by_role("button", name="Check my prediction").click()
            pg.wait_for_timeout(300)
            wait_idle(pg)
            pg.locator(MAIN).get_by_text("Your answer").first.wait_for(state="visible")   # the verdict
            assert not exceptions(pg)
        # (nginx logs the websocket when it closes: the page's other requests show the replica)
        served: dict[str, set[str]] = {}
        for e in lb.log_entries()[start:]:
            served.setdefault(e.get("key", ""), set()).add(e.get("upstream", "").split(",")[-1].strip())
        assert [served.get(keys[a]) for a in cluster["addrs"]] == [{a} for a in cluster["addrs"]], \
            f"the two students did not land on the two replicas: {served}"

        # The teacher, on each replica in turn, sees both answers before revealing.
        for addr in cluster["addrs"]:
            ctx, pg = open_as(browser, lb.url, keys[addr], QUESTION + "&present=1")     # a new session there
            contexts.append(ctx)
            main = pg.locator(MAIN)
            main.get_by_text("2 answers").first.wait_for(state="visible")
            shown = " ".join(main.inner_text().replace("\u00a0", " ").split())
            assert "2 answers: 50 % within 10 % of the truth" in shown, shown[:2000]
            pg.locator(f"{MAIN} .js-plotly-plot").first.wait_for(state="visible")
            assert pg.locator(f"{MAIN} .js-plotly-plot").count() == 1, "the histogram, not yet the figures"
            assert pg.locator(f'{MAIN} [data-testid="stMetric"]').count() == 0
    finally:
        for ctx in contexts:
            ctx.close()


def test_the_teacher_sees_both_replicas_answers(cluster):
    import redis

    from vggviz.lab import quiz

    keys = cluster["keys"]
    truth = quiz.question("fc6_share", "vgg16_mini").answer       # 18.06 %: one right, one far off
    in_own_browser(students_then_teacher, cluster, truth)

    r = redis.Redis.from_url(cluster["redis"].url, decode_responses=True)
    key = quiz.question("fc6_share", "vgg16_mini").key
    assert sorted(map(float, r.lrange(f"vggviz:quiz:{key}:values", 0, -1))) == [round(truth), 74.0]
    dump = repr({k: (r.lrange(k, 0, -1) if r.type(k) == "list" else sorted(r.smembers(k)) if r.type(k) == "set"
                     else r.get(k)) for k in r.scan_iter("*")})
    for k in keys.values():
        assert k not in dump                             # no browser cookie, ...
    assert "127.0.0.1" not in dump and "browser" not in dump   # ... no address, nothing a student typed but numbers
    assert 0 < r.ttl(f"vggviz:quiz:{key}:values") <= 90 * 60        # forgotten after the lesson
