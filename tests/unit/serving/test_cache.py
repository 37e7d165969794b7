"""vggviz.serving.cache.SharedResults: bounded, time-limited, one value per key for every session
(a fake clock: no sleeps)."""

from __future__ import annotations

import threading

from vggviz.serving.cache import SharedResults


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_put_get_and_the_oldest_entry_goes_first():
    store = SharedResults(2, ttl=100, clock=Clock())
    store.put("a", 1)
    store.put("b", 2)
    store.put("c", 3)
    assert (store.get("a"), store.get("b"), store.get("c")) == (None, 2, 3)


def test_entries_expire_after_their_ttl():
    clock = Clock()
    store = SharedResults(4, ttl=10, clock=clock)
    store.put("a", 1)
    clock.t = 9.9
    assert store.get("a") == 1
    clock.t = 10.0
    assert store.get("a") is None


def test_get_or_compute_computes_once_per_key_and_clear_forgets():
    calls = []
    store = SharedResults(4, clock=Clock())

    def compute():
        calls.append(1)
        return "value"

    assert store.get_or_compute("k", compute) == "value"
    assert store.get_or_compute("k", compute) == "value"
    assert len(calls) == 1
    store.clear()
    store.get_or_compute("k", compute)
    assert len(calls) == 2


def test_the_same_object_for_every_caller_and_threads_agree():
    store = SharedResults(64, clock=Clock())
    value = object()
    store.put("shared", value)
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(store.get("shared"))) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert seen == [value] * 8


def test_a_replaced_key_moves_to_the_newest_place():
    store = SharedResults(2, clock=Clock())
    store.put("a", 1)
    store.put("b", 2)
    store.put("a", 3)          # a is now the newest
    store.put("c", 4)          # b, the oldest, goes
    assert (store.get("a"), store.get("b"), store.get("c")) == (3, None, 4)
