"""Per-session limits on a shared classroom server (no streamlit here).

A student who reloads an upload in a loop, or starts feature visualisations one after the
other, should slow down only themselves: each session has a sliding-window budget per kind of
work, and a request over it gets a polite one-line message with the wait, not an error.

Limits come from the environment (0 turns one off):

* ``VGGVIZ_UPLOADS_PER_MINUTE`` (default 20): new images (uploads and camera photos);
* ``VGGVIZ_HEAVY_PER_MINUTE`` (default 6): heavy runs started (feature visualisation,
  occlusion, comparing depths);
* ``VGGVIZ_JOBS_PER_SESSION`` (default 5): training runs one session has queued or running
  at once (enforced by :mod:`vggviz.serving.jobs`; the largest experiment's five arms fit).
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable

from vggviz.i18n import N_, _

__all__ = ["SlidingWindow", "limit", "UPLOADS", "HEAVY", "KINDS", "jobs_per_session", "message"]

UPLOADS, HEAVY = "uploads", "heavy"
KINDS = {UPLOADS: ("VGGVIZ_UPLOADS_PER_MINUTE", 20, N_("new images")),
         HEAVY: ("VGGVIZ_HEAVY_PER_MINUTE", 6, N_("heavy runs (feature visualisation, occlusion, comparisons)"))}
WINDOW_S = 60.0


def _env_int(name: str, default: int) -> int:
    try:
        return max(0, int(os.environ.get(name, default)))
    except ValueError:
        return default


def limit(kind: str) -> int:
    """How many ``kind`` requests a session may make per minute (0: unlimited)."""
    env, default, _what = KINDS[kind]
    return _env_int(env, default)


def jobs_per_session() -> int:
    """Training runs one session may have queued or running at once (0: unlimited)."""
    return _env_int("VGGVIZ_JOBS_PER_SESSION", 5)


class SlidingWindow:
    """At most ``limit`` events in any ``window_s`` seconds."""

    def __init__(self, limit: int, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def take(self) -> float:
        """Record one event and return 0, or return the seconds to wait (nothing recorded)."""
        if self.limit <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            while self._times and now - self._times[0] >= self.window_s:
                self._times.popleft()
            if len(self._times) >= self.limit:
                return max(0.1, self.window_s - (now - self._times[0]))
            self._times.append(now)
            return 0.0


def message(kind: str, wait_s: float) -> str:
    """The polite line a student reads when over a limit (in the current language)."""
    return _("You have started {n} {what} in the last minute, the most one student "
             "may on this shared server; please wait {wait} s and try again.").format(
                 n=limit(kind), what=_(KINDS[kind][2]), wait=f"{wait_s:.0f}")
