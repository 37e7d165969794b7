"""A bounded, time-limited store of results shared by every session of the server (no streamlit)."""

from __future__ import annotations

import threading
import time

__all__ = ["SharedResults", "DEFAULT_TTL_S"]

DEFAULT_TTL_S = 3600


class SharedResults:
    """Results kept for every session of the server, per key: at most ``entries`` (oldest
    dropped first), each for ``ttl`` seconds. For work with a progress bar: unlike
    ``st.cache_data``, nothing the page draws while computing is recorded and replayed on a
    later hit (Streamlit's CacheReplayClosureError). The lock guards the dict only; the work
    runs outside it, so two sessions asking for the same new key may both compute it."""

    def __init__(self, entries: int, ttl: float = DEFAULT_TTL_S, clock=time.monotonic) -> None:
        self.entries, self.ttl, self._clock = entries, ttl, clock
        self._lock = threading.Lock()
        self._items: dict = {}

    def get(self, key):
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and self._clock() - hit[0] < self.ttl:
                return hit[1]
        return None

    def put(self, key, value):
        now = self._clock()
        with self._lock:
            for k in [k for k, (t, _value) in self._items.items() if now - t >= self.ttl]:
                del self._items[k]
            self._items.pop(key, None)
            while len(self._items) >= self.entries:
                self._items.pop(next(iter(self._items)))
            self._items[key] = (now, value)
        return value

    def get_or_compute(self, key, compute):
        hit = self.get(key)
        return hit if hit is not None else self.put(key, compute())

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
