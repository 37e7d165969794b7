"""The server's training pool (vggviz.serving.jobs): one run at a time in FIFO order, shared identical
requests, queue places, cancelling, abandoned owners, the foreground gate, and results that
open as weights ``trained:ID``. A fake, controllable train function keeps most tests fast;
one real tiny run goes through the pool at the end."""

from __future__ import annotations

import threading
import time

import pytest
import torch

from vggviz.lab.training import Cancelled, EpochRecord, Progress, Recipe, TrainingError, TrainResult
from vggviz.serving import jobs
from vggviz.serving.jobs import CANCELLED, DONE, FAILED, QUEUED, RUNNING, Pool

TINY = Recipe(epochs=1, train_size=256, val_size=64, max_batches=3, bn=False)


class FakeTrain:
    """A train function that takes ``batches`` steps of ``delay`` s, honouring
    between_batches and should_stop like the real one; ``hold`` (an Event) blocks each step
    until set. Records how many runs were active at once and the order of the calls."""

    def __init__(self, batches: int = 3, delay: float = 0.01, hold: threading.Event | None = None,
                 fail: str | None = None):
        self.batches, self.delay, self.hold, self.fail = batches, delay, hold, fail
        self.lock = threading.Lock()
        self.active = self.max_active = 0
        self.calls: list[tuple[str, Recipe]] = []
        self.steps = 0

    def __call__(self, variant, recipe, device, on_progress=None, should_stop=None, between_batches=None):
        with self.lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            self.calls.append((variant, recipe))
        try:
            if self.fail:
                raise TrainingError(self.fail + "\nsecond line that must not show")
            for b in range(self.batches):
                between_batches()
                if should_stop():
                    raise Cancelled("stopped")
                if self.hold is not None:
                    while not self.hold.wait(0.01):
                        if should_stop():
                            raise Cancelled("stopped")
                time.sleep(self.delay)
                with self.lock:
                    self.steps += 1
                on_progress(Progress(variant, 1, 1, b + 1, self.batches, 1.0 / (b + 1)))
            rec = EpochRecord(1, 0.5, 0.9, 0.1, recipe.lr)
            return TrainResult(variant, recipe, str(device), 123, ["a", "b"], [rec], [], {}, 0.1)
        finally:
            with self.lock:
                self.active -= 1


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def seeds(n):
    return [Recipe(epochs=1, seed=s) for s in range(n)]


def wait_for(cond, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_one_worker_runs_one_at_a_time_in_arrival_order():
    fake = FakeTrain(batches=3, delay=0.02)
    pool = Pool(1, train_fn=fake, register=False)
    submitted = [pool.submit("vgg11_mini", r, "cpu", owner=f"o{i}") for i, r in enumerate(seeds(4))]
    for job in submitted:
        assert pool.wait(job, timeout=10)
    assert [j.state for j in submitted] == [DONE] * 4
    assert fake.max_active == 1 and pool.max_running == 1
    assert [r.seed for _, r in fake.calls] == [0, 1, 2, 3]                 # FIFO
    assert all(j.result.params == 123 and j.error == "" for j in submitted)


def test_workers_are_configurable(monkeypatch):
    monkeypatch.setenv("VGGVIZ_TRAIN_WORKERS", "2")
    hold = threading.Event()
    fake = FakeTrain(batches=2, hold=hold)
    pool = Pool(train_fn=fake, register=False)
    assert pool.workers == 2
    a, b, c = (pool.submit("vgg11_mini", r, "cpu", "o") for r in seeds(3))
    wait_for(lambda: fake.active == 2)
    assert {a.state, b.state, c.state} == {RUNNING, QUEUED} and c.state == QUEUED
    hold.set()
    assert all(pool.wait(j, 10) for j in (a, b, c))
    assert fake.max_active == 2
    with pytest.raises(ValueError):
        Pool(0, train_fn=fake)


def test_identical_requests_share_one_run_and_its_result():
    hold = threading.Event()
    fake = FakeTrain(hold=hold)
    pool = Pool(1, train_fn=fake, register=False)
    first = pool.submit("vgg11_mini", TINY, "cpu", "alice")
    second = pool.submit("vgg11_mini", Recipe(epochs=1, train_size=256, val_size=64, max_batches=3, bn=False), "cpu", "bob")
    other = pool.submit("vgg11_mini", TINY, "cuda", "bob")                 # another device: another run
    assert second is first and first.watchers == {"alice", "bob"}
    assert other is not first
    hold.set()
    assert pool.wait(first, 10) and pool.wait(other, 10)
    assert len(fake.calls) == 2
    again = pool.submit("vgg11_mini", TINY, "cpu", "carol")               # after it finished: the result
    assert again is first and again.result is first.result and len(fake.calls) == 2
    assert {j.id for j in pool.jobs_of("carol")} == {first.id}


def test_queue_places_move_up():
    hold = threading.Event()
    fake = FakeTrain(hold=hold)
    pool = Pool(1, train_fn=fake, register=False)
    a, b, c, d = (pool.submit("vgg11_mini", r, "cpu", "o") for r in seeds(4))
    wait_for(lambda: a.state == RUNNING)
    assert [pool.place(j) for j in (a, b, c, d)] == [0, 1, 2, 3]
    assert pool.snapshot() == {"running": 1, "queued": 3, "workers": 1}
    pool.cancel(b)
    assert b.state == CANCELLED and [pool.place(j) for j in (c, d)] == [1, 2]
    hold.set()
    assert pool.wait(d, 10)
    assert pool.place(d) == 0 and [r.seed for _, r in fake.calls] == [0, 2, 3]


def test_withdrawing_cancels_only_when_nobody_watches():
    hold = threading.Event()
    fake = FakeTrain(hold=hold)
    pool = Pool(1, train_fn=fake, register=False)
    running = pool.submit("vgg11_mini", seeds(1)[0], "cpu", "alice")
    queued = pool.submit("vgg13_mini", TINY, "cpu", "alice")
    pool.submit("vgg13_mini", TINY, "cpu", "bob")
    wait_for(lambda: running.state == RUNNING)
    pool.withdraw(queued, "alice")
    assert queued.state == QUEUED and queued.watchers == {"bob"}            # bob still wants it
    pool.withdraw(queued, "bob")
    assert queued.state == CANCELLED and pool.place(queued) == 0            # dropped from the queue
    pool.withdraw(running, "alice")                                         # running: stops between batches
    assert pool.wait(running, 10)
    assert running.state == CANCELLED and running.result is None and "cancelled" in running.error
    assert [v for v, _ in fake.calls] == ["vgg11_mini"]                     # the queued one never ran
    # a cancelled request submitted again is a new run
    fresh = pool.submit("vgg13_mini", TINY, "cpu", "bob")
    assert fresh is not queued
    hold.set()
    assert pool.wait(fresh, 10) and fresh.state == DONE


def test_abandoned_owners_are_cancelled_after_the_heartbeat_timeout():
    clock = Clock()
    hold = threading.Event()
    fake = FakeTrain(hold=hold)
    pool = Pool(1, train_fn=fake, register=False, heartbeat_s=30, clock=clock)
    gone_running = pool.submit("vgg11_mini", seeds(1)[0], "cpu", "gone")
    gone_queued = pool.submit("vgg13_mini", TINY, "cpu", "gone")
    shared = pool.submit("vgg16_mini", TINY, "cpu", "gone")
    pool.submit("vgg16_mini", TINY, "cpu", "stays")
    wait_for(lambda: gone_running.state == RUNNING)
    clock.t += 20
    pool.touch("stays")
    assert pool.reap() == [] and gone_queued.state == QUEUED                # 20 s: still here
    clock.t += 15                                                           # gone: 35 s silent
    pool.touch("stays")                                                     # stays: 15 s
    assert gone_queued.state == CANCELLED
    assert shared.state == QUEUED and shared.watchers == {"stays"}
    assert pool.wait(gone_running, 10) and gone_running.state == CANCELLED   # stopped between batches
    hold.set()
    assert pool.wait(shared, 10) and shared.state == DONE


def test_leaving_cancels_after_a_short_grace_unless_the_owner_comes_back():
    clock = Clock()
    hold = threading.Event()
    pool = Pool(1, train_fn=FakeTrain(hold=hold), register=False, heartbeat_s=30, clock=clock)
    blocker = pool.submit("vgg11_mini", seeds(1)[0], "cpu", "x")
    back = pool.submit("vgg13_mini", TINY, "cpu", "back")
    left = pool.submit("vgg16_mini", TINY, "cpu", "left")
    pool.leave("back", grace_s=5)
    pool.leave("left", grace_s=5)
    clock.t += 3
    pool.touch("back")                                                      # reconnected in time
    clock.t += 4
    pool.touch("x")
    assert left.state == CANCELLED and back.state == QUEUED
    hold.set()
    assert pool.wait(back, 10) and back.state == DONE and blocker.state == DONE


def test_foreground_gate_pauses_training_between_batches():
    fake = FakeTrain(batches=400, delay=0.005)
    pool = Pool(1, train_fn=fake, register=False, foreground_wait_s=30)
    job = pool.submit("vgg11_mini", TINY, "cpu", "o")
    wait_for(lambda: fake.steps >= 3)
    with pool.foreground():
        time.sleep(0.05)                              # the batch in flight may finish
        before = fake.steps
        time.sleep(0.4)
        assert fake.steps - before <= 1               # no batch started while a pass is in flight
    wait_for(lambda: fake.steps >= before + 5)        # and training resumes afterwards
    assert pool.paused_s > 0.3
    pool.cancel(job)
    assert pool.wait(job, 10)


def test_foreground_wait_is_bounded():
    fake = FakeTrain(batches=5, delay=0.001)
    pool = Pool(1, train_fn=fake, register=False, foreground_wait_s=0.05)
    with pool.foreground():
        job = pool.submit("vgg11_mini", TINY, "cpu", "o")
        assert pool.wait(job, 5) and job.state == DONE   # never starved by a stuck pass


def test_a_failed_run_says_one_line_and_the_worker_lives_on():
    fake = FakeTrain(fail="vgg19_mini diverged")
    pool = Pool(1, train_fn=fake, register=False)
    bad = pool.submit("vgg19_mini", TINY, "cpu", "o")
    assert pool.wait(bad, 10)
    assert bad.state == FAILED and bad.error == "vgg19_mini diverged"
    fake.fail = None
    retry = pool.submit("vgg19_mini", TINY, "cpu", "o")                    # failed: not shared
    assert retry is not bad and pool.wait(retry, 10) and retry.state == DONE


def test_bad_requests_are_refused_with_one_line():
    pool = Pool(1, train_fn=FakeTrain(), register=False)
    for variant, recipe in [("vgg16", TINY), ("vgg99_mini", TINY), ("vgg11_mini", Recipe(epochs=0)),
                            ("vgg11_mini", Recipe(init="magic"))]:
        with pytest.raises(TrainingError) as e:
            pool.submit(variant, recipe, "cpu", "o")
        assert "\n" not in str(e.value)
    assert pool.snapshot()["queued"] == 0


def test_finished_jobs_are_bounded():
    pool = Pool(1, train_fn=FakeTrain(batches=1, delay=0), register=False, keep=3, per_owner=0)
    done = [pool.submit("vgg11_mini", r, "cpu", "o") for r in seeds(5)]
    for j in done:
        assert pool.wait(j, 10)
    assert [j.id for j in pool.jobs_of("o")] == [j.id for j in done[-3:]]
    assert pool.get(done[0].id) is None


def test_submit_experiment_submits_one_seed_of_every_arm_on_its_budget():
    from vggviz.lab.experiments import EXPERIMENTS, budget_for

    fake = FakeTrain(batches=1, delay=0)
    pool = Pool(1, train_fn=fake, register=False)
    pairs = jobs.submit_experiment("init", "o", 7, "cpu", target=pool, budget=TINY)
    exp = EXPERIMENTS["init"]
    assert [a for a, _ in pairs] == list(exp.arms)
    assert [(j.variant, j.recipe) for _, j in pairs] == [(a.variant, budget_for(a, 7, TINY)) for a in exp.arms]
    assert {j.recipe.seed for _, j in pairs} == {7} and {j.recipe.bn for _, j in pairs} == {False}
    assert all(j.title.endswith(a.label) for a, j in pairs)
    for _, j in pairs:
        assert pool.wait(j, 10)
    with pytest.raises(TrainingError):
        jobs.submit_experiment("nope", "o", target=pool)


def test_current_analysis_runs_inside_the_foreground_gate(monkeypatch, vgg11):
    from vggviz.app import results, ui

    seen = []
    monkeypatch.setattr(results, "_cached_analysis", lambda *a, **k: seen.append(jobs.pool()._foreground) or "res")

    class Img:
        digest = "d"

    assert ui.current_analysis(vgg11, Img()) == "res"
    assert seen == [1] and jobs.pool()._foreground == 0


def test_a_real_tiny_run_through_the_pool_opens_as_trained_weights(tmp_path):
    from vggviz.model.weights import load_model, trained_models

    pool = Pool(1)
    job = pool.submit("vgg11_mini", TINY, "cpu", "alice")
    assert pool.wait(job, 120), "the tiny run did not finish in 2 minutes"
    assert job.state == DONE, job.error
    assert job.source == f"trained:{job.id}" and job.source in trained_models()
    assert len(job.records) == 1 and job.progress.batches == 3 and job.fraction == 1.0
    loaded = load_model("vgg11_mini", job.source, "cpu")
    state = job.result.state_dict
    assert torch.equal(loaded.model.state_dict()["features.0.weight"], state["features.0.weight"])
    path = tmp_path / "run.pth"
    path.write_bytes(job.checkpoint())
    from_file = load_model("vgg11_mini", str(path), "cpu")
    assert torch.equal(from_file.model.state_dict()["classifier.6.weight"], state["classifier.6.weight"])
    assert from_file.categories == job.result.classes


def test_training_runs_per_session_are_bounded():
    p = jobs.Pool(workers=1, train_fn=lambda *a, **k: None, register=False, per_owner=2)
    p._start_workers_locked = lambda: None                         # keep them queued
    p.submit("vgg11_mini", Recipe(epochs=1), "cpu", "ann")
    p.submit("vgg11_mini", Recipe(epochs=2), "cpu", "ann")
    p.submit("vgg11_mini", Recipe(epochs=1), "cpu", "ann")          # the same request: joins, not a new run
    with pytest.raises(TrainingError, match="already have 2 training runs"):
        p.submit("vgg13_mini", Recipe(epochs=1), "cpu", "ann")
    p.submit("vgg13_mini", Recipe(epochs=1), "cpu", "bob")           # another student is not affected
    # all or none: an experiment over the limit leaves nothing queued for its owner
    q = jobs.Pool(workers=1, train_fn=lambda *a, **k: None, register=False, per_owner=3)
    q._start_workers_locked = lambda: None
    with pytest.raises(TrainingError):
        jobs.submit_experiment("depth", "cid", 0, target=q, budget=Recipe(epochs=1))      # four arms
    assert not [j for j in q._by_key.values() if j.state in jobs.LIVE]
