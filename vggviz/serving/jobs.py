"""A bounded training worker pool shared by the whole server (no streamlit here).

Thirty students on one classroom server must not start thirty training runs at once: runs
go through one FIFO queue served by ``VGGVIZ_TRAIN_WORKERS`` worker threads (default 1).

* :meth:`Pool.submit` returns a :class:`Job`. Identical requests (same variant, recipe and
  device) share one run and its result: a second submitter becomes another watcher.
* A job says where it is: ``state`` (queued, running, done, failed, cancelled), its place in
  the queue (:meth:`Pool.place`), the latest :class:`~vggviz.lab.training.Progress`, the result
  or a one-line error.
* A watcher can withdraw (:meth:`Pool.withdraw`); a job nobody watches any more is
  cancelled: a queued one leaves the queue, a running one stops between batches.
* Owners send heartbeats (:meth:`Pool.touch`); an owner not seen for ``heartbeat_s``
  seconds has left and is withdrawn from all its jobs (:meth:`Pool.reap`, run by the
  workers and on every call). :meth:`Pool.leave` says so at once (the app calls it when
  Streamlit releases the session's resources on disconnect), with a short grace period
  for a reconnecting browser.
* Finished models are kept in memory, bounded, and registered as weights source
  ``trained:ID`` (:func:`vggviz.model.weights.keep_trained`), so every page can open them; they
  are never written to a shared path. :meth:`Job.checkpoint` gives the ``.pth`` bytes.
* The foreground gate: forward passes for other users run inside :func:`foreground`;
  training waits between batches while any is in flight (at most ``foreground_wait_s``
  per batch, so a busy server slows training down but never starves it).

Example::

    from vggviz.serving import jobs
    from vggviz.lab.training import Recipe
    job = jobs.submit("vgg11_mini", Recipe(epochs=1), "cpu", owner="alice")
    jobs.pool().wait(job, timeout=60)
    job.state, job.result.val_accuracy, job.source

Kept in one module: one thread-safe pool (queue, shared runs, heartbeats, the
foreground gate, cancellation); its lock covers all of it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from vggviz.i18n import N_, Text
from vggviz.lab import training
from vggviz.lab.training import Cancelled, Progress, Recipe, TrainingError, TrainResult
from vggviz.model.variants import canonical, variant_info

__all__ = [
    "QUEUED", "RUNNING", "DONE", "FAILED", "CANCELLED", "LIVE", "FINAL",
    "Job", "Pool", "pool", "submit", "foreground", "submit_experiment", "submit_all",
    "HEARTBEAT_S", "FINISHED_KEEP", "FOREGROUND_WAIT_S", "LEAVE_GRACE_S",
]

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
LIVE = (QUEUED, RUNNING)
FINAL = (DONE, FAILED, CANCELLED)
HEARTBEAT_S = float(os.environ.get("VGGVIZ_TRAIN_HEARTBEAT_S", "30"))
FINISHED_KEEP = 16          # finished jobs (and their results) kept in memory, oldest dropped
FOREGROUND_WAIT_S = 2.0     # longest pause of training per batch for other users' passes
LEAVE_GRACE_S = 5.0         # after a disconnect: time for the browser to reconnect

TrainFn = Callable[..., TrainResult]


def _one_line(err: BaseException) -> str:
    """The error's one line; a :class:`~vggviz.i18n.Text` stays one (a job's error is read by
    every watcher, each in their own language)."""
    if len(err.args) == 1 and isinstance(err.args[0], Text):
        return err.args[0]
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


_NO_MODEL = N_("{title} has no trained model ({state})")


@dataclass(eq=False)
class Job:
    """One training run and everyone watching it. Read its fields; the pool changes them."""

    id: str
    variant: str
    recipe: Recipe
    device: str
    title: str                              # a Text: str() gives it in the reader's language
    state: str = QUEUED
    progress: Progress | None = None
    result: TrainResult | None = None
    error: str = ""                          # a Text, like the title
    source: str = ""                         # trained:ID once done
    watchers: set[str] = field(default_factory=set)
    submitted: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None
    _stop: bool = field(default=False, repr=False)
    _pth: bytes | None = field(default=None, repr=False)

    @property
    def key(self) -> tuple[str, Recipe, str]:
        return self.variant, self.recipe, self.device

    @property
    def live(self) -> bool:
        return self.state in LIVE

    @property
    def fraction(self) -> float:
        if self.state == DONE:
            return 1.0
        return self.progress.fraction if self.progress else 0.0

    @property
    def records(self) -> tuple:
        """The finished epochs so far (from the result once done)."""
        if self.result is not None:
            return tuple(self.result.epochs)
        return self.progress.records if self.progress else ()

    def register(self) -> str:
        """Make sure the trained model is kept as weights source ``trained:ID`` (again, if the
        bounded store dropped it since); returns the source name."""
        if self.result is None:
            raise TrainingError(Text(_NO_MODEL, title=self.title, state=self.state))
        from vggviz.model.weights import keep_trained, trained_models

        if self.source not in trained_models():
            self.source = keep_trained(self.id, self.result.variant, self.result.state_dict, self.result.classes,
                                       Text(N_("{title} · {accuracy} %"), title=self.title,
                                            accuracy=f"{100 * self.result.val_accuracy:.1f}"))
        return self.source

    def checkpoint(self) -> bytes:
        """The trained model as the bytes of a ``.pth`` file (loads with ``--weights``)."""
        if self.result is None:
            raise TrainingError(Text(_NO_MODEL, title=self.title, state=self.state))
        if self._pth is None:
            self._pth = training.checkpoint_bytes(self.result)
        return self._pth


class Pool:
    """The server's training pool: FIFO queue, ``workers`` runs at a time, shared results.

    ``train_fn`` (default :func:`vggviz.lab.training.train`) and ``clock`` are injectable for
    tests; ``heartbeat_s`` is how long an owner may stay silent before it counts as gone.
    Worker threads are daemons, started on the first submit.
    """

    def __init__(self, workers: int | None = None, *, train_fn: TrainFn | None = None,
                 heartbeat_s: float = HEARTBEAT_S, keep: int = FINISHED_KEEP,
                 foreground_wait_s: float = FOREGROUND_WAIT_S, clock: Callable[[], float] = time.monotonic,
                 register: bool = True, per_owner: int | None = None):
        if workers is None:
            workers = int(os.environ.get("VGGVIZ_TRAIN_WORKERS", "1") or 1)
        if workers < 1:
            raise ValueError(f"a training pool needs at least one worker, got {workers}")
        self.workers = workers
        self.heartbeat_s = heartbeat_s
        self.keep = keep
        self.foreground_wait_s = foreground_wait_s
        if per_owner is None:
            from vggviz.serving.limits import jobs_per_session
            per_owner = jobs_per_session()
        self.per_owner = per_owner            # live runs one owner may have started (0: no limit)
        self._train = train_fn or training.train
        self._clock = clock
        self._register = register
        self._cond = threading.Condition()
        self._queue: deque[Job] = deque()
        self._running: list[Job] = []
        self._finished: dict[str, Job] = {}         # id → job, oldest first, bounded
        self._by_key: dict[tuple, Job] = {}         # live or done job of each request
        self._seen: dict[str, float] = {}           # owner → last heartbeat (clock)
        self._threads: list[threading.Thread] = []
        self._foreground = 0
        self._ids = itertools.count(1)
        self.max_running = 0                        # most runs seen at once (for tests, benchmarks)
        self.paused_s = 0.0                         # training time spent waiting for the foreground

    # ------------------------------------------------------------------ submitting

    def submit(self, variant: str, recipe: Recipe = Recipe(), device: str = "cpu", owner: str = "anonymous",
               title: str = "") -> Job:
        """Queue a run of ``variant`` with ``recipe`` on ``device`` for ``owner``, or join the
        identical one already queued, running or done. Raises TrainingError (one line) for a
        request that cannot be trained."""
        try:
            info = variant_info(canonical(variant))
        except (KeyError, ValueError) as e:
            raise TrainingError(_one_line(e)) from None
        if not info.mini:
            raise TrainingError(Text(N_("only the mini variants train here (on 64×64 shapes), not {variant}"),
                                     variant=variant))
        recipe.check()
        device = str(device)
        key = (info.name, recipe, device)
        with self._cond:
            self._reap_locked()
            self._seen[owner] = self._clock()
            job = self._by_key.get(key)
            if job is not None and job.state in (QUEUED, RUNNING, DONE) and not job._stop:
                job.watchers.add(owner)
                return job
            if self.per_owner:
                mine = sum(1 for j in self._by_key.values() if j.state in LIVE and owner in j.watchers)
                if mine >= self.per_owner:
                    raise TrainingError(Text(
                        N_("you already have {n} training runs queued or running, the most one student may "
                           "on this shared server; wait for one to finish or cancel it"), n=mine))
            job = Job(id=f"{next(self._ids)}-{uuid.uuid4().hex[:6]}", variant=info.name, recipe=recipe,
                      device=device, title=title or _title(info.name, recipe), watchers={owner})
            self._by_key[key] = job
            self._queue.append(job)
            self._start_workers_locked()
            self._cond.notify_all()
            return job

    def withdraw(self, job: Job, owner: str) -> None:
        """``owner`` stops watching ``job``; with no watcher left a live job is cancelled."""
        with self._cond:
            job.watchers.discard(owner)
            if not job.watchers and job.live:
                self._cancel_locked(job)

    def cancel(self, job: Job) -> None:
        """Cancel ``job`` for everyone watching it."""
        with self._cond:
            job.watchers.clear()
            if job.live:
                self._cancel_locked(job)

    def _cancel_locked(self, job: Job) -> None:
        if job.state == QUEUED:
            with contextlib.suppress(ValueError):
                self._queue.remove(job)
            self._finish_locked(job, CANCELLED, Text(N_("cancelled before it started")))
        elif job.state == RUNNING:
            job._stop = True           # the worker stops it between batches
        self._cond.notify_all()

    # ------------------------------------------------------------------ owners

    def touch(self, owner: str) -> None:
        """A heartbeat: ``owner`` is still here (its page polled)."""
        with self._cond:
            self._seen[owner] = self._clock()
            self._reap_locked()

    def leave(self, owner: str, grace_s: float = LEAVE_GRACE_S) -> None:
        """``owner`` disconnected: unless it is seen again within ``grace_s``, it is withdrawn."""
        with self._cond:
            if owner in self._seen:
                self._seen[owner] = min(self._seen[owner], self._clock() - self.heartbeat_s + grace_s)
            self._cond.notify_all()

    def reap(self) -> list[str]:
        """Withdraw every owner not seen for ``heartbeat_s``; returns those owners."""
        with self._cond:
            return self._reap_locked()

    def _reap_locked(self) -> list[str]:
        now = self._clock()
        gone = [o for o, t in self._seen.items() if now - t > self.heartbeat_s]
        for owner in gone:
            del self._seen[owner]
            for job in [*self._queue, *self._running]:
                if owner in job.watchers:
                    job.watchers.discard(owner)
                    if not job.watchers:
                        self._cancel_locked(job)
        return gone

    def jobs_of(self, owner: str) -> list[Job]:
        """The jobs ``owner`` watches (live ones first in queue order, then finished)."""
        with self._cond:
            live = [j for j in [*self._running, *self._queue] if owner in j.watchers]
            done = [j for j in self._finished.values() if owner in j.watchers]
            return live + done

    def has_live(self, owner: str) -> bool:
        with self._cond:
            return any(owner in j.watchers for j in [*self._running, *self._queue])

    # ------------------------------------------------------------------ where things are

    def place(self, job: Job) -> int:
        """1 for the next job to start, 2 for the one after…; 0 once running or finished."""
        with self._cond:
            try:
                return self._queue.index(job) + 1
            except ValueError:
                return 0

    def snapshot(self) -> dict:
        """How busy the pool is: ``{"running", "queued", "workers"}``."""
        with self._cond:
            return {"running": len(self._running), "queued": len(self._queue), "workers": self.workers}

    def get(self, job_id: str) -> Job | None:
        with self._cond:
            for job in [*self._running, *self._queue]:
                if job.id == job_id:
                    return job
            return self._finished.get(job_id)

    def wait(self, job: Job, timeout: float | None = None) -> bool:
        """Block until ``job`` has finished (or ``timeout`` passed); True when finished."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while job.live:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(0.2 if left is None else min(left, 0.2))
            return True

    # ------------------------------------------------------------------ the foreground gate

    @contextlib.contextmanager
    def foreground(self) -> Iterator[None]:
        """Wrap a forward pass for a user: training pauses between batches meanwhile."""
        with self._cond:
            self._foreground += 1
        try:
            yield
        finally:
            with self._cond:
                self._foreground -= 1
                self._cond.notify_all()

    def between_batches(self) -> None:
        """Called by training before each batch: wait while foreground work is in flight,
        at most ``foreground_wait_s``."""
        with self._cond:
            if not self._foreground:
                return
            t0 = time.monotonic()
            deadline = t0 + self.foreground_wait_s
            while self._foreground and (left := deadline - time.monotonic()) > 0:
                self._cond.wait(left)
            self.paused_s += time.monotonic() - t0

    # ------------------------------------------------------------------ workers

    def _start_workers_locked(self) -> None:
        self._threads = [t for t in self._threads if t.is_alive()]
        while len(self._threads) < self.workers:
            t = threading.Thread(target=self._work, name=f"vggviz-train-{len(self._threads) + 1}", daemon=True)
            self._threads.append(t)
            t.start()

    def _next_locked(self) -> Job:
        while True:
            self._reap_locked()
            if self._queue:
                job = self._queue.popleft()
                job.state, job.started = RUNNING, self._clock()
                self._running.append(job)
                self.max_running = max(self.max_running, len(self._running))
                self._cond.notify_all()
                return job
            self._cond.wait(1.0)

    def _work(self) -> None:
        while True:
            with self._cond:
                job = self._next_locked()

            def should_stop(job=job) -> bool:
                with self._cond:
                    self._reap_locked()
                    return job._stop

            def on_progress(p: Progress, job=job) -> None:
                job.progress = p

            try:
                result = self._train(job.variant, job.recipe, job.device, on_progress=on_progress,
                                     should_stop=should_stop, between_batches=self.between_batches)
            except Cancelled:
                state, result, error = CANCELLED, None, Text(N_("cancelled: nobody was watching it any more"))
            except Exception as e:  # noqa: BLE001 - a failed run is reported, the worker lives on
                state, result, error = FAILED, None, _one_line(e)
            else:
                state, error = DONE, ""
                job.result = result
                if self._register:
                    job.register()
            with self._cond:
                job.result = result
                with contextlib.suppress(ValueError):
                    self._running.remove(job)
                if state == DONE and job._stop:   # finished after the last watcher left: keep it
                    job._stop = False
                self._finish_locked(job, state, error)

    def _finish_locked(self, job: Job, state: str, error: str = "") -> None:
        job.state, job.error, job.finished = state, error, self._clock()
        if state != DONE and self._by_key.get(job.key) is job:
            del self._by_key[job.key]
        self._finished.pop(job.id, None)
        self._finished[job.id] = job
        while len(self._finished) > self.keep:
            old = self._finished.pop(next(iter(self._finished)))
            if self._by_key.get(old.key) is old:
                del self._by_key[old.key]
        self._cond.notify_all()


def _title(variant: str, recipe: Recipe) -> str:
    """The run's name, a :class:`~vggviz.i18n.Text` (its English value is the data)."""
    bits = [variant_info(variant).label,
            Text(N_("{n} epochs") if recipe.epochs != 1 else N_("{n} epoch"), n=recipe.epochs)]
    if recipe.bn and not variant_info(variant).batch_norm:
        bits.append(Text(N_("batch norm")))
    if recipe.init != "he":
        bits.append(Text(N_("{init} init"), init=recipe.init))
    if recipe.scale_jitter:
        bits.append(Text(N_("scale jitter")))
    if recipe.lr != Recipe.lr:
        bits.append(Text(N_("lr {lr}"), lr=f"{recipe.lr:g}"))
    if recipe.seed:
        bits.append(Text(N_("seed {seed}"), seed=recipe.seed))
    title = bits[0]
    for bit in bits[1:]:
        title = Text(N_("{title} · {more}"), title=title, more=bit)
    return title


# ---------------------------------------------------------------------- the server's pool

_pool: Pool | None = None
_pool_lock = threading.Lock()


def pool() -> Pool:
    """The pool shared by every session of this server (created on first use)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = Pool()
        return _pool


def submit(variant: str, recipe: Recipe = Recipe(), device: str = "cpu", owner: str = "anonymous",
           title: str = "") -> Job:
    """:meth:`Pool.submit` on the server's pool."""
    return pool().submit(variant, recipe, device, owner, title)


@contextlib.contextmanager
def foreground() -> Iterator[None]:
    """:meth:`Pool.foreground` on the server's pool: wrap user-facing forward passes in it."""
    with pool().foreground():
        yield


def submit_experiment(key: str, owner: str, seed: int = 0, device: str = "cpu", target: Pool | None = None,
                      budget: Recipe | None = None) -> list[tuple[object, Job]]:
    """Submit one seed of every arm of experiment ``key`` (:mod:`vggviz.lab.experiments`) on
    its budget (or ``budget``), all or none, counting against ``owner``'s limit of live runs;
    returns ``[(arm, job), …]`` in the experiment's order. Identical requests (the same arm
    and seed, from another student) share one run."""
    from vggviz.lab import experiments

    exp = experiments.EXPERIMENTS.get(key)
    if exp is None:
        raise TrainingError(Text(N_("unknown experiment {key}; choose one of: {keys}"), key=repr(key),
                                 keys=", ".join(experiments.EXPERIMENTS)))
    p = target or pool()
    made = submit_all(p, owner, [(arm.variant, experiments.budget_for(arm, seed, budget), device,
                                  Text(N_("{experiment}: {arm}"), experiment=Text(exp.title), arm=Text(arm.label)))
                                 for arm in exp.arms])
    return list(zip(exp.arms, made))


def submit_all(p: Pool, owner: str, requests: list[tuple[str, Recipe, str, str]]) -> list[Job]:
    """Submit ``(variant, recipe, device, title)`` requests for ``owner``, all or none: if one
    is refused (a bad request, or over the owner's limit), the ones already submitted are
    withdrawn and the error is raised."""
    done: list[Job] = []
    try:
        for variant, recipe, device, title in requests:
            done.append(p.submit(variant, recipe, device, owner, title))
    except TrainingError:
        for job in done:
            p.withdraw(job, owner)
        raise
    return done
