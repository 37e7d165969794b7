"""A server killed and restarted while ten students are connected (benchmarks/load_server.py at
the protocol level): each student's client reconnects, as the browser does, and gets its
top-5 and Grad-CAM from the new server, correct."""

from __future__ import annotations

import threading

import pytest

from benchmarks.load_server import run_load
from benchmarks.server import free_port, stop, streamlit_server

pytestmark = [pytest.mark.load, pytest.mark.slow]

USERS = 10


def test_ten_connected_students_survive_a_restart():
    port = free_port()
    connected, seen = threading.Event(), set()

    def on_connected(i: int) -> None:
        seen.add(i)
        if len(seen) == USERS:
            connected.set()

    out: dict = {}
    with streamlit_server(port=port) as first:
        load = threading.Thread(target=lambda: out.update(run_load(
            users=USERS, variant="vgg11_mini", url=first.url, timeout_s=600, quiet=True,
            reconnects=3, on_connected=on_connected)))
        load.start()
        assert connected.wait(400), f"only {len(seen)} students connected"
        stop(first.proc)                          # the teacher's server goes down mid-lesson …
    with streamlit_server(port=port):             # … and comes back on the same address
        load.join(600)
    assert not load.is_alive()
    assert out["errors"] == 0, out["error_details"]
    assert out["correct"] == USERS
    assert out["reconnects"] >= 1, "no student lost its connection: the restart came too late"
