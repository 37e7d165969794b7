"""The forward-pass scheduler (vggviz.serving.scheduler): arrival order, one pass per key, a bounded
queue, places reported, and a waiter that leaves frees its place."""

from __future__ import annotations

import threading
import time

import pytest

from vggviz.serving.scheduler import FIRST, LATER, Batch, Busy, Scheduler, microbatch_for


def _gate():
    """A first job that holds the single worker until released."""
    release = threading.Event()
    started = threading.Event()

    def hold():
        started.set()
        release.wait(10)
        return "first"
    return hold, started, release


def _spawn(s, key, fn, out, on_wait=None, priority=FIRST):
    def go():
        try:
            out.append((key, s.run(key, fn, on_wait, poll_s=0.01, priority=priority)))
        except BaseException as e:  # noqa: BLE001
            out.append((key, e))
    t = threading.Thread(target=go)
    t.start()
    return t


def test_first_come_first_served():
    s = Scheduler(workers=1)
    hold, started, release = _gate()
    done, order = [], []
    threads = [_spawn(s, "a", hold, done)]
    assert started.wait(5)
    for k in "bcde":
        threads.append(_spawn(s, k, lambda k=k: order.append(k) or k, done))
        time.sleep(0.05)                                   # arrival order b, c, d, e
    assert s.queued() == 4
    release.set()
    for t in threads:
        t.join(10)
    assert order == list("bcde")
    assert dict(done) == {"a": "first", "b": "b", "c": "c", "d": "d", "e": "e"}


def test_same_key_is_one_pass_and_errors_reach_every_waiter():
    s = Scheduler(workers=1)
    hold, started, release = _gate()
    calls, out = [], []
    ts = [_spawn(s, "x", hold, [])]
    started.wait(5)
    ts += [_spawn(s, "img", lambda: calls.append(1) or "res", out) for _ in range(3)]
    ts += [_spawn(s, "bad", lambda: 1 / 0, out)]
    time.sleep(0.2)
    release.set()
    for t in ts:
        t.join(10)
    assert calls == [1] and [r for k, r in out if k == "img"] == ["res"] * 3
    assert isinstance(dict(out)["bad"], ZeroDivisionError)


def test_places_are_reported_and_the_queue_is_bounded():
    s = Scheduler(workers=1, max_queue=2)
    hold, started, release = _gate()
    ts = [_spawn(s, "a", hold, [])]
    started.wait(5)
    places, out = [], []
    ts.append(_spawn(s, "b", lambda: "b", out))
    time.sleep(0.05)
    ts.append(_spawn(s, "c", lambda: "c", out, on_wait=places.append))
    time.sleep(0.1)
    with pytest.raises(Busy) as e:
        s.run("d", lambda: "d")
    assert "\n" not in str(e.value)
    release.set()
    for t in ts:
        t.join(10)
    assert places[0] == 2 and sorted(places, reverse=True) == places          # 2 (behind b), then less


def test_a_waiter_that_leaves_frees_its_place():
    s = Scheduler(workers=1)
    hold, started, release = _gate()
    ts = [_spawn(s, "a", hold, [])]
    started.wait(5)
    ran = []

    class Left(Exception):
        pass

    def leave(place):
        raise Left()                     # Streamlit stops a script by raising at its next st call

    out = []
    ts.append(_spawn(s, "gone", lambda: ran.append("gone"), out, on_wait=leave))
    time.sleep(0.1)
    assert s.queued() == 0                # withdrawn: nobody else waits for it
    ts.append(_spawn(s, "next", lambda: ran.append("next") or "ok", out))
    release.set()
    for t in ts:
        t.join(10)
    assert ran == ["next"] and isinstance(dict(out)["gone"], Left)


def _queue_up(s, jobs, order, out):
    """Hold the worker, then submit ``jobs`` [(key, priority)] in that arrival order."""
    hold, started, release = _gate()
    threads = [_spawn(s, "hold", hold, [])]
    assert started.wait(5)
    for key, prio in jobs:
        threads.append(_spawn(s, key, lambda key=key: order.append(key) or key, out, priority=prio))
        deadline = time.monotonic() + 5
        while key not in {t.key for t in s._queue} and time.monotonic() < deadline:
            time.sleep(0.005)                          # arrival order as listed
    return threads, release


def test_first_results_go_before_later_work_and_arrival_order_holds_within_each():
    s = Scheduler(workers=1)
    order, out = [], []
    jobs = [("cam1", LATER), ("fwd1", FIRST), ("cam2", LATER), ("fwd2", FIRST), ("fwd3", FIRST)]
    threads, release = _queue_up(s, jobs, order, out)
    cam1 = next(t for t in s._queue if t.key == "cam1")
    fwd3 = next(t for t in s._queue if t.key == "fwd3")
    assert s.place(fwd3) == 3 and s.place(cam1) == 4     # behind fwd1, fwd2, fwd3 (place 4)
    release.set()
    for t in threads:
        t.join(10)
    assert order == ["fwd1", "fwd2", "fwd3", "cam1", "cam2"]
    assert dict(out)["cam2"] == "cam2"


def test_later_work_is_overtaken_at_most_max_overtake_times():
    s = Scheduler(workers=1, max_overtake=2)
    order, out = [], []
    jobs = [("cam", LATER)] + [(f"fwd{i}", FIRST) for i in range(5)]
    threads, release = _queue_up(s, jobs, order, out)
    release.set()
    for t in threads:
        t.join(10)
    assert order == ["fwd0", "fwd1", "cam", "fwd2", "fwd3", "fwd4"]    # no starvation


def test_a_first_waiter_joining_later_work_raises_its_priority():
    s = Scheduler(workers=1)
    order, out = [], []
    threads, release = _queue_up(s, [("shared", LATER), ("fwd", FIRST)], order, out)
    threads.append(_spawn(s, "shared", lambda: order.append("dup") or "dup", out, priority=FIRST))
    time.sleep(0.1)
    assert s.queued() == 2                                 # joined, not a second pass
    release.set()
    for t in threads:
        t.join(10)
    assert order == ["shared", "fwd"]                      # FIRST now, and earlier than fwd
    assert [r for k, r in out if k == "shared"] == ["shared", "shared"]


def test_a_later_waiter_that_leaves_frees_its_place():
    s = Scheduler(workers=1)
    order, out = [], []
    threads, release = _queue_up(s, [("fwd", FIRST)], order, out)

    class Left(Exception):
        pass

    def leave(place):
        raise Left()

    threads.append(_spawn(s, "cam", lambda: order.append("cam"), out, on_wait=leave, priority=LATER))
    time.sleep(0.1)
    assert s.queued() == 1
    release.set()
    for t in threads:
        t.join(10)
    assert order == ["fwd"] and isinstance(dict(out)["cam"], Left)


def test_a_pass_gets_the_threads_of_the_workers_it_leaves_idle():
    """Alone, a pass gets every thread; with the queue keeping both workers busy, one each.
    The setting is the worker's own: the caller's thread count is unchanged."""
    import torch

    before = torch.get_num_threads()
    s = Scheduler(workers=2, threads=4)
    assert [s.threads_for(b) for b in (1, 2, 3, 10)] == [4, 2, 2, 2]
    assert Scheduler(workers=4, threads=2).threads_for(3) == 1
    assert s.run("alone", torch.get_num_threads) == 4
    hold, started, release = _gate()
    out = []
    ts = [_spawn(s, "a", hold, [])]
    assert started.wait(5)
    ts.append(_spawn(s, "b", torch.get_num_threads, out))
    ts[-1].join(10)                          # "b" runs on the second worker while "a" holds the first
    release.set()
    for t in ts:
        t.join(10)
    assert out == [("b", 2)]                 # started while "a" still ran: two busy workers
    assert torch.get_num_threads() == before


def test_later_work_waits_while_first_results_are_queued():
    s = Scheduler(workers=1)
    hold, started, release = _gate()
    ts = [_spawn(s, "a", hold, [])]
    assert started.wait(5)
    ts += [_spawn(s, k, lambda: time.sleep(0.05), []) for k in "bc"]
    while s.queued() < 2:
        time.sleep(0.01)
    seen, waited = [], []
    later = threading.Thread(target=lambda: waited.append(s.yield_to_first(seen.append, poll_s=0.01)))
    later.start()
    time.sleep(0.2)
    assert later.is_alive() and seen == [3]          # one first result running, two queued: it waits
    release.set()
    later.join(10)
    for t in ts:
        t.join(10)
    assert not later.is_alive() and s.queued() == 0
    assert seen[0] == 3 and waited[0] >= 0.2
    assert s.yield_to_first(seen.append) < 0.05      # nothing queued: no wait


def test_later_work_waits_at_most_max_wait_and_a_leaving_waiter_holds_nothing():
    s = Scheduler(workers=1)
    hold, started, release = _gate()
    ts = [_spawn(s, "a", hold, [])]
    assert started.wait(5)
    ts.append(_spawn(s, "b", lambda: None, []))
    while s.queued() < 1:
        time.sleep(0.01)
    assert 0.1 <= s.yield_to_first(max_wait_s=0.1, poll_s=0.01) < 2

    def leave(n):
        raise KeyboardInterrupt("the session stopped")
    with pytest.raises(KeyboardInterrupt):
        s.yield_to_first(leave)
    assert s._cond.acquire(timeout=1)            # the lock was let go
    s._cond.release()
    release.set()
    for t in ts:
        t.join(10)


def test_cores_follow_a_containers_cpu_quota(tmp_path):
    from vggviz.serving.scheduler import cores

    mine = cores(str(tmp_path / "absent"))
    assert mine >= 1
    quota = tmp_path / "cpu.max"
    quota.write_text("100000 100000\n")
    assert cores(str(quota)) == 1                     # docker run --cpus 1
    quota.write_text("150000 100000\n")
    assert cores(str(quota)) == min(mine, 2)          # 1.5 cores: two threads, not one
    quota.write_text("max 100000\n")
    assert cores(str(quota)) == mine                  # no quota


# --------------------------------------------------------------------------- micro-batching
# Timing-free: arrivals are ordered by waiting on the scheduler's own condition (a pass is
# queued, a waiter has left), never by sleeping.


def _until(s, pred, what: str, timeout: float = 10.0) -> None:
    with s._cond:
        assert s._cond.wait_for(pred, timeout), what


class _Many:
    """A ``run_many`` that records each call's items and fails on an item named "bad"."""

    def __init__(self):
        self.calls: list[list] = []

    def __call__(self, items):
        self.calls.append(list(items))
        if "bad" in items:
            raise ValueError("a bad item")
        return [f"r-{i}" for i in items]


def _batched(s, item, many, out, group="m", on_wait=None):
    def go():
        try:
            out.append((item, s.run(("k", group, item), None, on_wait, poll_s=0.01,
                                    batch=Batch(group, item, many))))
        except BaseException as e:  # noqa: BLE001
            out.append((item, e))
    t = threading.Thread(target=go)
    t.start()
    return t


def _queue_behind_gate(s, items, many, out, group="m"):
    """Hold the one worker, then queue ``items`` one after another (each queued before the next
    is submitted, so arrival order is the list's)."""
    hold, started, release = _gate()
    ts = [_spawn(s, "gate", hold, [])]
    assert started.wait(5)
    for n, item in enumerate(items, 1):
        g = group(item) if callable(group) else group
        ts.append(_batched(s, item, many, out, g))
        _until(s, lambda n=n: len(s._queue) == n, f"{item} queued")
    return ts, release


def test_queued_passes_of_one_group_run_as_one_batch_in_order_and_split_back():
    s = Scheduler(workers=1, batch_window_s=0)
    many, out = _Many(), []
    ts, release = _queue_behind_gate(s, ["a", "b", "c", "d"], many, out)
    release.set()
    for t in ts:
        t.join(10)
    assert many.calls == [["a", "b", "c", "d"]]
    assert dict(out) == {"a": "r-a", "b": "r-b", "c": "r-c", "d": "r-d"}
    assert s.batch_sizes == [4] and s.served == 5


def test_batches_are_bounded_and_groups_never_mix():
    s = Scheduler(workers=1, batch_window_s=0, max_batch=2)
    many, out = _Many(), []
    items = ["x1", "y1", "x2", "x3", "y2", "x4"]
    ts, release = _queue_behind_gate(s, items, many, out, group=lambda i: i[0])
    release.set()
    for t in ts:
        t.join(10)
    assert many.calls == [["x1", "x2"], ["y1", "y2"], ["x3", "x4"]]
    assert dict(out) == {i: f"r-{i}" for i in items}


def test_a_failed_request_fails_alone():
    s = Scheduler(workers=1, batch_window_s=0)
    many, out = _Many(), []
    ts, release = _queue_behind_gate(s, ["a", "bad", "c"], many, out)
    release.set()
    for t in ts:
        t.join(10)
    assert many.calls == [["a", "bad", "c"], ["a"], ["bad"], ["c"]]
    res = dict(out)
    assert res["a"] == "r-a" and res["c"] == "r-c"
    assert isinstance(res["bad"], ValueError)


def test_a_cancelled_request_leaves_the_queued_batch():
    s = Scheduler(workers=1, batch_window_s=0)
    many, out = _Many(), []
    hold, started, release = _gate()
    ts = [_spawn(s, "gate", hold, [])]
    assert started.wait(5)
    ts.append(_batched(s, "a", many, out))
    _until(s, lambda: len(s._queue) == 1, "a queued")

    def leave(place):
        raise KeyboardInterrupt("the session stopped")
    ts.append(_batched(s, "gone", many, out, on_wait=leave))
    ts[-1].join(10)                                    # it left: withdrawn from the queue
    ts.append(_batched(s, "c", many, out))
    _until(s, lambda: len(s._queue) == 2, "c queued")
    release.set()
    for t in ts:
        t.join(10)
    assert many.calls == [["a", "c"]]
    res = dict(out)
    assert isinstance(res["gone"], KeyboardInterrupt) and res["a"] == "r-a" and res["c"] == "r-c"


def test_a_pass_arriving_within_the_window_joins_and_one_leaving_it_is_dropped():
    # A window far longer than the test: the batch runs when it is full, so nothing depends on time.
    s = Scheduler(workers=1, batch_window_s=60, max_batch=3)
    many, out = _Many(), []
    ts = [_batched(s, "a", many, out)]
    _until(s, lambda: not s._queue and s._threads, "a taken by the worker")

    def leave_when_taken(place):
        if place == 0:                                 # gathered into a's batch, not run yet
            raise KeyboardInterrupt("the session stopped")
    ts.append(_batched(s, "gone", many, out, on_wait=leave_when_taken))
    ts[-1].join(10)
    assert isinstance(dict(out)["gone"], KeyboardInterrupt)
    assert many.calls == []                            # still gathering
    ts.append(_batched(s, "b", many, out))
    ts.append(_batched(s, "c", many, out))
    for t in ts:
        t.join(10)
    assert len(many.calls) == 1 and many.calls[0][0] == "a" and sorted(many.calls[0]) == ["a", "b", "c"]
    assert {k: v for k, v in out if k != "gone"} == {"a": "r-a", "b": "r-b", "c": "r-c"}


def test_microbatching_is_on_for_cuda_only_unless_asked(monkeypatch):
    monkeypatch.delenv("VGGVIZ_MICROBATCH", raising=False)
    assert microbatch_for("cuda") and microbatch_for("cuda:1") and not microbatch_for("cpu")
    monkeypatch.setenv("VGGVIZ_MICROBATCH", "1")
    assert microbatch_for("cpu")
    monkeypatch.setenv("VGGVIZ_MICROBATCH", "0")
    assert not microbatch_for("cuda")
