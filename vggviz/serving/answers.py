"""The class's answers to the predict-first questions, for the teacher: anonymous counts only.

What is kept, per question instance (:attr:`vggviz.lab.quiz.Question.key`), for one lesson:

* the answers' values, as an unordered bag of numbers (a choice as its option's index): no name,
  no session, no address, no time;
* a set of one-way digests ``sha256(key + session token)``, to refuse a session's second answer;
  the token is a random id of the browser session, never stored or shown, and the set holds no
  link to the values;
* whether the teacher has closed the question (revealed its answer): later answers are refused.

Everything is forgotten :data:`LESSON_TTL_S` after the question's first answer (a lesson), and
nothing is written to disk: the in-process store is a dict, and the Redis store (several
replicas behind a balancer, ``VGGVIZ_REDIS_URL=redis://host:port/0``) sets the same time-to-live
on its keys (run Redis without persistence, as the tests and ``deploy/`` do: ``--save '' --appendonly no``).

:func:`store` picks the one the server uses. :func:`class_summary` turns the values into what the
presenter view shows: "27 answers: 60 % within 10 % of the truth" and a histogram.
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
import time
from dataclasses import dataclass

from vggviz.errors import VggvizError
from vggviz.i18n import N_, Text, _

__all__ = ["AnswerStore", "InProcessStore", "RedisStore", "StoreError", "ClassSummary", "store", "class_summary",
           "class_sentence", "class_figure", "LESSON_TTL_S", "REDIS_ENV"]



def _lesson_minutes(raw: str | None) -> int:
    """``VGGVIZ_LESSON_MINUTES``: a whole number from 1 to 1440; anything else is the default, 90."""
    try:
        minutes = int(str(raw).strip())
    except ValueError:
        return 90
    return minutes if 1 <= minutes <= 1440 else 90


LESSON_TTL_S = _lesson_minutes(os.environ.get("VGGVIZ_LESSON_MINUTES", "90")) * 60
REDIS_ENV = "VGGVIZ_REDIS_URL"
MAX_VALUES = 2000                  # answers kept per question: a class, or a lecture hall


class StoreError(VggvizError):
    """An answer refused (``kind`` "already": answered before in this lesson; "closed": the
    teacher revealed it) or the shared store unreachable ("unreachable"); one line (a
    :class:`~vggviz.i18n.Text`)."""

    def __init__(self, message, kind: str):
        super().__init__(message)
        self.kind = kind


ALREADY = Text(N_("you have already answered this question in this lesson"))
CLOSED = Text(N_("this question is closed: the teacher has revealed the answer"))


def _voter(key: str, token: str) -> str:
    return hashlib.sha256(f"{key}\0{token}".encode()).hexdigest()


class AnswerStore:
    """The interface: :meth:`submit` one value per session token and key, :meth:`values`,
    :meth:`close` (refuse further answers), :meth:`is_closed`, :meth:`has_answered`."""

    def submit(self, key: str, token: str, value: float) -> None:
        raise NotImplementedError

    def values(self, key: str) -> list[float]:
        raise NotImplementedError

    def has_answered(self, key: str, token: str) -> bool:
        raise NotImplementedError

    def close(self, key: str) -> None:
        raise NotImplementedError

    def is_closed(self, key: str) -> bool:
        raise NotImplementedError

    def dump(self) -> dict:
        """Everything the store holds (for the test that nothing identifies a student)."""
        raise NotImplementedError


@dataclass
class _Entry:
    expires: float
    values: list[float]
    voters: set[str]
    closed: bool = False


class InProcessStore(AnswerStore):
    """One server's answers in a dict, under a lock; entries expire ``ttl_s`` after the first answer."""

    def __init__(self, ttl_s: float = LESSON_TTL_S, clock=time.monotonic):
        self.ttl_s, self._clock = ttl_s, clock
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def _get(self, key: str, create: bool = False) -> _Entry | None:
        now = self._clock()
        for k in [k for k, e in self._entries.items() if e.expires <= now]:
            del self._entries[k]
        e = self._entries.get(key)
        if e is None and create:
            e = self._entries[key] = _Entry(expires=now + self.ttl_s, values=[], voters=set())
        return e

    def submit(self, key: str, token: str, value: float) -> None:
        with self._lock:
            e = self._get(key, create=True)
            if e.closed:
                raise StoreError(CLOSED, "closed")
            v = _voter(key, token)
            if v in e.voters:
                raise StoreError(ALREADY, "already")
            e.voters.add(v)
            if len(e.values) < MAX_VALUES:
                e.values.append(float(value))

    def values(self, key: str) -> list[float]:
        with self._lock:
            e = self._get(key)
            return sorted(e.values) if e else []

    def has_answered(self, key: str, token: str) -> bool:
        with self._lock:
            e = self._get(key)
            return bool(e) and _voter(key, token) in e.voters

    def close(self, key: str) -> None:
        with self._lock:
            self._get(key, create=True).closed = True

    def is_closed(self, key: str) -> bool:
        with self._lock:
            e = self._get(key)
            return bool(e and e.closed)

    def dump(self) -> dict:
        with self._lock:
            return {k: {"values": list(e.values), "voters": sorted(e.voters), "closed": e.closed}
                    for k, e in self._entries.items()}


# One script call, atomic: refuse when closed or already answered, else add the voter and the
# value, and start the lesson's clock on the first answer.
_SUBMIT = """
if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
if redis.call('LLEN', KEYS[1]) < tonumber(ARGV[4]) then redis.call('RPUSH', KEYS[1], ARGV[2]) end
if redis.call('TTL', KEYS[2]) < 0 then
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
end
return 1
"""


class RedisStore(AnswerStore):
    """The answers of every replica, in one Redis (``redis://host:port/db``). Keys:
    ``vggviz:quiz:<key>:values`` (a list of numbers), ``…:voters`` (a set of digests),
    ``…:closed``; each expires ``ttl_s`` after the question's first answer."""

    PREFIX = "vggviz:quiz:"

    def __init__(self, url: str, ttl_s: float = LESSON_TTL_S):
        import redis

        self.ttl_s = int(ttl_s)
        self._r = redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3, decode_responses=True)
        self._submit = self._r.register_script(_SUBMIT)

    def _keys(self, key: str) -> list[str]:
        base = f"{self.PREFIX}{key}"
        return [f"{base}:values", f"{base}:voters", f"{base}:closed"]

    def _call(self, fn):
        import redis

        try:
            return fn()
        except redis.RedisError as e:
            raise StoreError(Text(N_("the class's answers cannot be reached ({reason}); answers are not "
                                     "counted for now"), reason=type(e).__name__), "unreachable") from None

    def submit(self, key: str, token: str, value: float) -> None:
        res = self._call(lambda: self._submit(keys=self._keys(key),
                                              args=[_voter(key, token), repr(float(value)), self.ttl_s, MAX_VALUES]))
        if int(res) == -1:
            raise StoreError(CLOSED, "closed")
        if int(res) == 0:
            raise StoreError(ALREADY, "already")

    def values(self, key: str) -> list[float]:
        return sorted(float(v) for v in self._call(lambda: self._r.lrange(self._keys(key)[0], 0, -1)))

    def has_answered(self, key: str, token: str) -> bool:
        return bool(self._call(lambda: self._r.sismember(self._keys(key)[1], _voter(key, token))))

    def close(self, key: str) -> None:
        values, _voters, closed = self._keys(key)

        def run():
            ttl = self._r.ttl(values)
            self._r.set(closed, "1", ex=ttl if ttl and ttl > 0 else self.ttl_s)
        self._call(run)

    def is_closed(self, key: str) -> bool:
        return bool(self._call(lambda: self._r.exists(self._keys(key)[2])))

    def dump(self) -> dict:
        def run():
            out = {}
            for k in self._r.scan_iter(f"{self.PREFIX}*"):
                kind = self._r.type(k)
                out[k] = (self._r.lrange(k, 0, -1) if kind == "list" else sorted(self._r.smembers(k))
                          if kind == "set" else self._r.get(k))
            return out
        return self._call(run)


_store: AnswerStore | None = None
_store_lock = threading.Lock()


def store() -> AnswerStore:
    """The server's store: Redis when ``VGGVIZ_REDIS_URL`` is set (several replicas), else in-process."""
    global _store
    with _store_lock:
        if _store is None:
            url = os.environ.get(REDIS_ENV, "").strip()
            _store = RedisStore(url) if url else InProcessStore()
        return _store


# --------------------------------------------------------------------------- what the teacher sees

@dataclass(frozen=True)
class ClassSummary:
    count: int
    within: int                    # answers within the question's tolerance
    edges: list[float]             # histogram bin edges (numbers), or [] for a choice
    counts: list[int]              # per bin, or per option for a choice
    labels: list[str]              # per bin/option, for the chart

    @property
    def within_share(self) -> float:
        return self.within / self.count if self.count else 0.0


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:.3g}"


def class_summary(question, values: list[float], bins: int = 10) -> ClassSummary:
    """Counts, the share within tolerance and a histogram of ``values`` (a choice's values are
    option indices) for ``question`` (a :class:`vggviz.lab.quiz.Question`)."""
    from vggviz.lab.quiz import check

    if question.kind == "choice":
        counts = [0] * len(question.options)
        within = 0
        for v in values:
            i = int(v)
            if 0 <= i < len(counts):
                counts[i] += 1
                within += check(question, question.options[i]).within
        return ClassSummary(len(values), within, [], counts, list(question.options))
    within = sum(check(question, v).within for v in values)
    truth = float(question.answer)
    lo = min([truth, *values])
    hi = max([truth, *values])
    if hi == lo:
        lo, hi = lo - 0.5, hi + 0.5
    width = (hi - lo) / bins
    if abs(truth) >= 10 and width >= 1:
        width = math.ceil(width)
    edges = [lo + i * width for i in range(bins + 1)]
    counts = [0] * bins
    for v in values:
        counts[min(int((v - lo) / width), bins - 1)] += 1
    labels = [f"{_fmt(a)}–{_fmt(b)}" for a, b in zip(edges, edges[1:])]
    return ClassSummary(len(values), within, edges, counts, labels)


def class_sentence(question, summary: ClassSummary) -> str:
    """"27 answers: 60 % within 10 % of the truth" (a choice: "… 60 % right")."""
    if not summary.count:
        return _("No answers yet: the class's count appears here as they answer.")
    pct = f"{100 * summary.within_share:.0f}"
    if question.kind == "choice" or not question.tolerance:
        return _("**{n} answers**: {pct} % right.").format(n=summary.count, pct=pct)
    return _("**{n} answers**: {pct} % within {tol} % of the truth.").format(
        n=summary.count, pct=pct, tol=f"{100 * question.tolerance:g}")


def class_figure(question, summary: ClassSummary):
    """The class's answers as bars (bins of numbers, or the choices); the truth is not marked,
    so the chart can be shown before the answer is revealed."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=summary.labels, y=summary.counts, marker_color="#4C78A8",
                           hovertemplate="%{x}: %{y}<extra></extra>"))
    fig.update_layout(height=260, margin=dict(l=10, r=10, t=30, b=10), bargap=0.05,
                      title=_("How the class answered"), yaxis_title=_("answers"),
                      xaxis_title=_("answer") + (f" ({question.unit})" if question.unit else ""))
    fig.update_yaxes(rangemode="tozero", dtick=1 if max(summary.counts, default=0) <= 10 else None)
    return fig
