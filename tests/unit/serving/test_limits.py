"""vggviz.serving.limits: the per-session sliding window, the limits read from the environment (0 turns
one off, a bad value keeps the default), and the polite line in the reader's language. The app's
side (a warning instead of the run): tests/app/test_app_server_safety.py."""

from __future__ import annotations

import pytest

from vggviz import i18n
from vggviz.serving import limits


def test_sliding_window():
    now = [0.0]
    w = limits.SlidingWindow(3, 60, clock=lambda: now[0])
    assert [w.take() for _ in range(3)] == [0, 0, 0]
    assert w.take() == pytest.approx(60)
    now[0] = 30
    assert w.take() == pytest.approx(30)
    now[0] = 61
    assert w.take() == 0
    assert limits.SlidingWindow(0).take() == 0                        # 0: no limit


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("VGGVIZ_UPLOADS_PER_MINUTE", raising=False)
    monkeypatch.setenv("VGGVIZ_HEAVY_PER_MINUTE", "2")
    monkeypatch.setenv("VGGVIZ_JOBS_PER_SESSION", "0")
    assert limits.limit(limits.UPLOADS) == 20                          # the default
    assert limits.limit(limits.HEAVY) == 2
    assert limits.jobs_per_session() == 0                              # 0: no limit
    monkeypatch.setenv("VGGVIZ_HEAVY_PER_MINUTE", "many")
    assert limits.limit(limits.HEAVY) == 6                             # not a number: the default
    monkeypatch.setenv("VGGVIZ_HEAVY_PER_MINUTE", "-3")
    assert limits.limit(limits.HEAVY) == 0
    with pytest.raises(KeyError):
        limits.limit("naps")


def test_the_message_names_the_limit_and_the_wait(monkeypatch):
    monkeypatch.setenv("VGGVIZ_UPLOADS_PER_MINUTE", "3")
    line = limits.message(limits.UPLOADS, 12.4)
    assert "3 new images in the last minute" in line and "wait 12 s" in line and "\n" not in line
    with i18n.using("zh"):
        zh = limits.message(limits.UPLOADS, 12.4)
    assert zh != line and "3" in zh and "12" in zh
