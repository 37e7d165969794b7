"""vggviz.serving.answers: the class's answers, the same contract for the in-process store and Redis
(Debian's redis-server started on a free port, no persistence): one answer per session and
question, refused once closed, forgotten after the lesson's time-to-live, nothing that identifies
a student; what the presenter sees (counts, the share within tolerance, the histogram)."""

from __future__ import annotations

import os
import time

import pytest

from vggviz.lab import quiz
from vggviz.serving import answers
from vggviz.serving.answers import InProcessStore, RedisStore, StoreError, class_summary


@pytest.fixture(scope="module")
def redis_url():
    from benchmarks.server import free_port
    from deploy.local import redis_binary, redis_server

    if not redis_binary():
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is not installed (.ci/run installs Debian's redis-server)")
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    with redis_server(free_port()) as r:
        yield r.url


@pytest.fixture(params=["in-process", "redis"])
def make_store(request):
    """A function (ttl_s) → a fresh store of each kind."""
    if request.param == "in-process":
        yield lambda ttl_s=600: InProcessStore(ttl_s)
        return
    url = request.getfixturevalue("redis_url")
    made = []

    def make(ttl_s=600):
        s = RedisStore(url, ttl_s)
        s._r.flushdb()
        made.append(s)
        return s
    yield make
    for s in made:
        s._r.flushdb()


def test_one_answer_per_session_and_question(make_store):
    s = make_store()
    s.submit("q1:vgg16:224", "session-a", 74.0)
    s.submit("q1:vgg16:224", "session-b", 20.5)
    s.submit("q2:vgg16:224", "session-a", 3.0)         # another question: its own count
    with pytest.raises(StoreError) as e:
        s.submit("q1:vgg16:224", "session-a", 75.0)
    assert e.value.kind == "already" and "already answered" in str(e.value)
    assert s.values("q1:vgg16:224") == [20.5, 74.0] and s.values("q2:vgg16:224") == [3.0]
    assert s.has_answered("q1:vgg16:224", "session-a") and not s.has_answered("q1:vgg16:224", "session-c")
    assert s.values("never") == [] and not s.is_closed("never")


def test_closed_questions_refuse_answers(make_store):
    s = make_store()
    s.submit("k", "a", 1.0)
    s.close("k")
    assert s.is_closed("k")
    with pytest.raises(StoreError) as e:
        s.submit("k", "b", 2.0)
    assert e.value.kind == "closed" and "closed" in str(e.value) and "\n" not in str(e.value)
    assert s.values("k") == [1.0]
    s.close("fresh")                                   # closing before any answer works too
    with pytest.raises(StoreError):
        s.submit("fresh", "a", 1.0)


def test_nothing_identifies_a_student(make_store):
    s = make_store()
    tokens = ["5f1d3c0e9b7a4e2f8c6d1a0b3e5f7a9c", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"]
    for t, v in zip(tokens, (10.0, 30.0), strict=True):
        s.submit("q:vgg16:224", t, v)
    kept = repr(s.dump())
    assert "10.0" in kept and "30.0" in kept
    for t in tokens:
        assert t not in kept
    # the values are a bag of numbers, kept apart from the (one-way) digests of who answered
    assert s.values("q:vgg16:224") == [10.0, 30.0]


def test_answers_are_forgotten_after_the_lesson(make_store):
    s = make_store(ttl_s=1)
    s.submit("k", "a", 5.0)
    s.close("k")
    deadline = time.monotonic() + 10
    while (s.values("k") or s.is_closed("k")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert s.values("k") == [] and not s.is_closed("k")
    s.submit("k", "a", 6.0)                            # a new lesson: the same session may answer again
    assert s.values("k") == [6.0]


def test_in_process_lesson_clock():
    now = [0.0]
    s = InProcessStore(ttl_s=60, clock=lambda: now[0])
    s.submit("k", "a", 1.0)
    now[0] = 59
    s.submit("k", "b", 2.0)                            # the lesson runs from the first answer
    assert s.values("k") == [1.0, 2.0]
    now[0] = 60
    assert s.values("k") == [] and s.dump() == {}


def test_redis_unreachable_is_one_line():
    from benchmarks.server import free_port

    s = RedisStore(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(StoreError) as e:
        s.submit("k", "a", 1.0)
    assert e.value.kind == "unreachable" and "cannot be reached" in str(e.value) and "\n" not in str(e.value)


def test_store_from_the_environment(monkeypatch, redis_url):
    monkeypatch.setattr(answers, "_store", None)
    monkeypatch.delenv(answers.REDIS_ENV, raising=False)
    assert isinstance(answers.store(), InProcessStore)
    monkeypatch.setattr(answers, "_store", None)
    monkeypatch.setenv(answers.REDIS_ENV, redis_url)
    assert isinstance(answers.store(), RedisStore)
    monkeypatch.setattr(answers, "_store", None)


def test_what_the_presenter_sees():
    q = quiz.question("fc6_share", "vgg16")             # 74.27 %, within 10 %
    values = [74.0, 70.0, 20.0, 50.0, 81.0]
    summary = class_summary(q, values)
    assert (summary.count, summary.within) == (5, 3) and summary.within_share == 0.6
    assert sum(summary.counts) == 5 and len(summary.labels) == len(summary.counts) == 10
    assert summary.edges[0] <= 20.0 and summary.edges[-1] >= 81.0
    assert answers.class_sentence(q, summary) == "**5 answers**: 60 % within 10 % of the truth."
    fig = answers.class_figure(q, summary)
    assert list(fig.data[0].y) == summary.counts
    assert "74.27" not in fig.to_json(), "the chart does not give the answer away"
    choice = quiz.question("block_params", "vgg16")
    c = class_summary(choice, [4.0, 4.0, 3.0])           # option indices: block 5, block 5, block 4
    assert c.counts == [0, 0, 0, 1, 2] and c.within == 2 and c.labels[4] == "block 5"
    assert answers.class_sentence(choice, c) == "**3 answers**: 67 % right."
    assert answers.class_sentence(q, class_summary(q, [])).startswith("No answers yet")


@pytest.mark.parametrize("raw, minutes", [("45", 45), (" 120 ", 120), ("0", 90), ("a lesson", 90), (None, 90),
                                          ("100000", 90)])
def test_lesson_length_from_the_environment(raw, minutes):
    assert answers._lesson_minutes(raw) == minutes
