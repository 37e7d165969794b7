"""First come, first served: one queue for the forward passes of every session (no streamlit).

Sixteen analyses started at once on one shared model, each in its own session thread, all
finish together after the slowest (4.4 s for VGG16 on 2 cores, where one alone takes 0.41 s):
the threads fight over the same cores. Served in arrival order by as many workers as fill the
machine without oversubscribing it (torch's threads summed over the workers ≤ cores), the first
student waits 0.41 s, the median half of what everyone waited before, and the throughput is
the same.

* :meth:`Scheduler.run` submits a pass and waits for it, calling ``on_wait(place)`` while it is
  queued (place 1 = next); the same ``key`` submitted twice (two students, one sample) is one
  pass with two waiters.
* The queue is bounded (``max_queue``): past it a request is refused with one line
  (:class:`Busy`) rather than piling up.
* A waiter that leaves (its session stopped: Streamlit raises in ``on_wait``, or the caller's
  thread is interrupted) withdraws; a queued pass nobody waits for any more leaves the queue,
  so the students behind move up.
* Two priorities, first results first: a student's first result (the forward pass behind the
  top-5, :data:`FIRST`, the default) goes before work on an image that is already analysed
  (:data:`LATER`). Within a priority the order is arrival; a LATER pass is overtaken by at most
  ``max_overtake`` (default :data:`MAX_OVERTAKE`) later FIRST passes and then goes in its
  arrival place, so a steady stream of uploads cannot starve it. The app does not route its
  Grad-CAM through here (yet): measured through ``benchmarks/load_server.py`` (6 students,
  VGG16, two servers side by side so both saw the same machine load), Grad-CAM and its depth
  sweep as LATER passes on the worker cost 0.5–1.2 s more server CPU per student than in the
  session's own thread (1.8–2.1 s) and did not bring the top-5 sooner.
* Work on an analysed image that does not go through the queue (Grad-CAM, in the session's own
  thread) first waits in :meth:`Scheduler.yield_to_first` while first results are queued or
  running, at most ``max_wait_s``: a class that uploads at once gets every top-5 before anyone's
  Grad-CAM takes CPU from them.
* One worker per core. A worker gives its pass as many torch threads as the cores it has to
  itself (:meth:`Scheduler.threads_for`): all of them for a student alone (a VGG16 analysis on
  2 cores: 0.20 s instead of 0.33 s on one), one each when the queue keeps every worker busy,
  where two one-thread passes side by side get more done than two-thread passes one after
  another (VGG16, in-process: 0.18 against 0.21 s a pass). ``torch.set_num_threads`` is per
  thread, so a worker's setting leaves the sessions' own threads as they were.

* Micro-batching (:class:`Batch`): passes submitted with the same ``Batch.group`` (one model on
  one device) that are queued together, or arrive within ``batch_window_s`` (a few ms) of the
  first, go through one call of ``Batch.run_many`` with all their items, at most ``max_batch``;
  each waiter gets its own item's result, in its own order. A waiter that leaves during the
  window leaves the batch; when the batched call raises, each item is run again alone, so a
  failing request fails alone. The app batches only on CUDA (one pass of 8 images costs far
  less than 8 passes there; on the CPU a pass already uses every core), or with
  ``VGGVIZ_MICROBATCH=1``.

``VGGVIZ_SCHEDULER_WORKERS`` overrides the worker count (default: the cores this process may
use); ``VGGVIZ_LATER_WAIT_S`` the longest wait in :meth:`Scheduler.yield_to_first` (default 30 s,
0 for none); ``VGGVIZ_BATCH_WINDOW_MS`` the micro-batching window (default 4 ms) and
``VGGVIZ_MAX_BATCH`` its size (default 8).
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from vggviz.i18n import N_, Text

__all__ = ["Scheduler", "Busy", "Batch", "scheduler", "MAX_QUEUE", "MAX_OVERTAKE", "FIRST", "LATER",
           "default_workers", "cores", "MAX_YIELD_S", "BATCH_WINDOW_S", "MAX_BATCH", "microbatch_for"]

MAX_QUEUE = int(os.environ.get("VGGVIZ_SCHEDULER_QUEUE", "256"))
MAX_OVERTAKE = 32            # a classroom of uploads; then a waiting Grad-CAM goes in arrival order
FIRST, LATER = 0, 1          # priorities: a student's first result; work on an analysed image
# The longest a Grad-CAM waits for a class's first results (0: never waits).
MAX_YIELD_S = float(os.environ.get("VGGVIZ_LATER_WAIT_S", "30"))
BATCH_WINDOW_S = float(os.environ.get("VGGVIZ_BATCH_WINDOW_MS", "4")) / 1000
MAX_BATCH = int(os.environ.get("VGGVIZ_MAX_BATCH", "8"))


@dataclass(frozen=True)
class Batch:
    """How a pass can share a batched call: passes with equal ``group`` run as one
    ``run_many([item, …])``, which returns one result per item in that order."""

    group: Hashable
    item: Any
    run_many: Callable[[Sequence[Any]], Sequence[Any]]


def microbatch_for(device: str) -> bool:
    """Whether the app batches passes on ``device``: on CUDA, or anywhere with
    ``VGGVIZ_MICROBATCH=1`` (``0`` turns it off on CUDA too)."""
    env = os.environ.get("VGGVIZ_MICROBATCH", "").strip()
    if env in ("0", "1"):
        return env == "1"
    return str(device).startswith("cuda")


class Busy(RuntimeError):
    """The queue is full; the message is one line (a :class:`~vggviz.i18n.Text`, shown in the
    reader's language)."""


CPU_MAX = "/sys/fs/cgroup/cpu.max"       # a container's CPU quota (cgroup v2): "200000 100000" = 2 cores


def cores(cpu_max: str = CPU_MAX) -> int:
    """The cores this process may run on: its CPU affinity, capped by a container's CPU quota
    (``docker run --cpus 2`` on a 64-core host is 2, not 64)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:          # not on Linux
        n = os.cpu_count() or 1
    try:
        with open(cpu_max) as f:
            quota, period = f.read().split()[:2]
        if quota != "max":
            n = min(n, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass
    return max(1, n)


def default_workers() -> int:
    env = os.environ.get("VGGVIZ_SCHEDULER_WORKERS", "").strip()
    if env:
        return max(1, int(env))
    return cores()


class _Ticket:
    __slots__ = ("key", "fn", "waiters", "done", "result", "error", "state", "priority", "seq", "overtaken",
                 "batch")

    def __init__(self, key: Hashable, fn: Callable[[], Any], priority: int, seq: int, batch: Batch | None = None):
        self.key, self.fn, self.batch = key, fn, batch
        self.priority, self.seq, self.overtaken = priority, seq, 0
        self.waiters = 0
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.state = "queued"           # queued, running, done, cancelled


class Scheduler:
    def __init__(self, workers: int | None = None, max_queue: int = MAX_QUEUE, max_overtake: int = MAX_OVERTAKE,
                 threads: int | None = None, batch_window_s: float = BATCH_WINDOW_S, max_batch: int = MAX_BATCH):
        self.workers = workers or default_workers()
        self.threads = threads or cores()        # torch threads shared by the workers
        self._running = 0
        self._running_first = 0
        self.max_queue = max_queue
        self.max_overtake = max_overtake
        self._cond = threading.Condition()
        self._queue: deque[_Ticket] = deque()          # arrival order
        self._by_key: dict[Hashable, _Ticket] = {}
        self._threads: list[threading.Thread] = []
        self._seq = 0
        self.served = 0
        self.batch_window_s = batch_window_s
        self.max_batch = max(1, max_batch)
        self.batch_sizes: list[int] = []       # every batched call's size, in order (for benchmarks)

    # ---------------------------------------------------------------- queue
    def _rank(self, t: _Ticket) -> tuple[int, int]:
        """The service order: priority (a LATER pass overtaken ``max_overtake`` times counts
        as FIRST), then arrival."""
        return (FIRST if t.overtaken >= self.max_overtake else t.priority), t.seq

    def _order(self) -> list[_Ticket]:
        return sorted(self._queue, key=self._rank)

    def _next(self) -> _Ticket:
        """Take the next ticket off the queue (caller holds the lock; the queue is not empty);
        every LATER ticket that arrived earlier and waits on counts one more overtaking."""
        t = min(self._queue, key=self._rank)
        self._queue.remove(t)
        for other in self._queue:
            if other.seq < t.seq and other.priority > t.priority:
                other.overtaken += 1
        return t

    def _submit(self, key: Hashable, fn: Callable[[], Any], priority: int = FIRST, batch: Batch | None = None) -> _Ticket:
        with self._cond:
            t = self._by_key.get(key)
            if t is not None and t.state == "queued" and priority < t.priority:
                t.priority = priority                  # joined by a more urgent waiter
            if t is None or t.state == "cancelled":
                if len(self._queue) >= self.max_queue:
                    raise Busy(Text(N_("the server is busy ({n} analyses waiting); try again in a minute"),
                                    n=len(self._queue)))
                self._seq += 1
                t = _Ticket(key, fn, priority, self._seq, batch)
                self._by_key[key] = t
                self._queue.append(t)
                while len(self._threads) < self.workers:
                    th = threading.Thread(target=self._work, name=f"vggviz-scheduler-{len(self._threads)}",
                                          daemon=True)
                    self._threads.append(th)
                    th.start()
                self._cond.notify_all()
            t.waiters += 1
            return t

    def _withdraw(self, t: _Ticket) -> None:
        with self._cond:
            t.waiters -= 1
            if t.waiters <= 0 and t.state == "queued":
                t.state = "cancelled"
                try:
                    self._queue.remove(t)
                except ValueError:
                    pass
                if self._by_key.get(t.key) is t:
                    del self._by_key[t.key]
                t.done.set()

    def place(self, t: _Ticket) -> int:
        """1 for the next pass to run, 2 for the one after …; 0 once it runs or is done.
        (A later, more urgent pass may still move in ahead of a LATER one.)"""
        with self._cond:
            if t.state != "queued":
                return 0
            try:
                return self._order().index(t) + 1
            except ValueError:
                return 0

    def queued(self) -> int:
        with self._cond:
            return len(self._queue)

    def threads_for(self, busy: int) -> int:
        """Torch threads for a pass that starts while ``busy`` passes (itself included) are
        running or queued: the threads split evenly over the workers they keep busy."""
        return max(1, self.threads // max(1, min(self.workers, busy)))

    def yield_to_first(self, on_wait: Callable[[int], None] | None = None, max_wait_s: float | None = None,
                       poll_s: float = 0.25) -> float:
        """Wait while first results (:data:`FIRST` passes) are queued or running, at most
        ``max_wait_s``; ``on_wait(n)`` is called with how many whenever that changes. Returns
        the seconds waited. For work on an analysed image that runs outside the queue: it would
        take the CPU from the last passes of a class, whose students wait longest already."""
        max_wait_s = MAX_YIELD_S if max_wait_s is None else max_wait_s
        t0 = time.monotonic()
        last = None
        with self._cond:
            while (n := self._running_first + sum(1 for t in self._queue if t.priority == FIRST)) and \
                    (left := t0 + max_wait_s - time.monotonic()) > 0:
                if on_wait is not None and n != last:
                    last = n
                    self._cond.release()
                    try:
                        on_wait(n)               # may raise (the session stopped): nothing is held
                    finally:
                        self._cond.acquire()
                    continue
                self._cond.wait(min(poll_s, left))
        return time.monotonic() - t0

    def _gather(self, t: _Ticket) -> list[_Ticket]:
        """``t`` and the queued passes of its batch group, in service order, at most
        ``max_batch``; waits up to ``batch_window_s`` for more to arrive (caller holds the
        lock). A pass withdrawn meanwhile is cancelled and dropped."""
        batch = [t]
        group = t.batch.group
        deadline = time.monotonic() + self.batch_window_s
        while True:
            batch = [b for b in batch if b.state != "cancelled"]
            for other in self._order():
                if len(batch) >= self.max_batch:
                    break
                if other.batch is not None and other.batch.group == group:
                    self._queue.remove(other)
                    batch.append(other)
            left = deadline - time.monotonic()
            if len(batch) >= self.max_batch or left <= 0 or not batch:
                return batch
            self._cond.wait(left)

    def _run_batch(self, batch: list[_Ticket]) -> None:
        """One ``run_many`` call for all of ``batch``; when it raises, each item alone."""
        run_many = batch[0].batch.run_many
        try:
            results = list(run_many([b.batch.item for b in batch]))
            if len(results) != len(batch):
                raise RuntimeError(f"run_many returned {len(results)} results for {len(batch)} items")
            for b, r in zip(batch, results, strict=True):
                b.result = r
        except BaseException as e:  # noqa: BLE001 - retried alone, then handed to the waiters
            if len(batch) == 1:
                batch[0].error = e
                return
            for b in batch:
                try:
                    b.result = list(run_many([b.batch.item]))[0]
                except BaseException as e1:  # noqa: BLE001
                    b.error = e1

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._queue:
                    self._cond.wait()
                t = self._next()
                batch = [t]
                if t.batch is not None:
                    batch = self._gather(t)
                    if not batch:
                        continue
                first = sum(b.priority == FIRST for b in batch)
                for b in batch:
                    b.state = "running"
                self._running += 1
                self._running_first += first
                n = self.threads_for(self._running + len(self._queue))
                if t.batch is not None:
                    self.batch_sizes.append(len(batch))
                self._cond.notify_all()            # the queue moved: yield_to_first may go on
            torch.set_num_threads(n)                 # this thread's own setting
            if t.batch is not None:
                self._run_batch(batch)
            else:
                try:
                    t.result = t.fn()
                except BaseException as e:  # noqa: BLE001 - handed to the waiters
                    t.error = e
            with self._cond:
                self._running -= 1
                self._running_first -= first
                self._cond.notify_all()              # yield_to_first may go on
                for b in batch:
                    b.state = "done"
                    self.served += 1
                    if self._by_key.get(b.key) is b:
                        del self._by_key[b.key]  # results are kept by the caller's cache, not here
                    b.fn = None
                    b.batch = None
            for b in batch:
                b.done.set()

    # ---------------------------------------------------------------- the one call
    def run(self, key: Hashable, fn: Callable[[], Any] | None, on_wait: Callable[[int], None] | None = None,
            poll_s: float = 0.25, priority: int = FIRST, batch: Batch | None = None) -> Any:
        """Run ``fn`` in arrival order within its ``priority`` (:data:`FIRST` before
        :data:`LATER`; joined with an identical ``key`` already queued or running) and return
        its result, raising what it raised. ``on_wait(place)`` is called while the pass is
        queued, and again when its place changes. With ``batch`` the pass may share one
        ``batch.run_many`` call with others of its group (``fn`` is then not used)."""
        t = self._submit(key, fn, priority, batch)
        try:
            last = None
            while not t.done.wait(poll_s if on_wait else None):
                if on_wait is not None:
                    p = self.place(t)
                    if p != last:
                        last = p
                        on_wait(p)
        except BaseException:
            self._withdraw(t)
            raise
        with self._cond:
            t.waiters -= 1
        if t.state == "cancelled":
            raise Busy(Text(N_("this analysis was cancelled; try again")))
        if t.error is not None:
            raise t.error
        return t.result


_scheduler: Scheduler | None = None
_lock = threading.Lock()


def scheduler() -> Scheduler:
    """The server's scheduler (created on first use)."""
    global _scheduler
    with _lock:
        if _scheduler is None:
            _scheduler = Scheduler()
        return _scheduler
