"""The Draw page's live input: a drawing's pass kept in the session (never in the server-wide
caches), and whether the server is too busy for a camera's frames."""

from __future__ import annotations

import streamlit as st

from vggviz.app.flow import show_error
from vggviz.i18n import N_, Text, _
from vggviz.model.weights import LoadedModel
from vggviz.serving import jobs

__all__ = ["current_drawing", "server_busy"]

_DRAWN = "draw_memo"      # this session's latest drawing: (key, LiveResult, PNG bytes, LoadedImage)


def current_drawing(loaded: LoadedModel, picture):
    """The drawing ``picture`` (PIL, from :func:`vggviz.inference.live.drawing_to_image`) through
    ``loaded``: ``(LiveResult, PNG bytes, LoadedImage)``. The pass waits its turn in the server's
    scheduler like any first result; the result is kept in this session only (the latest drawing:
    a rerun without a new stroke does not run the network), never in the server-wide caches. A
    busy server or a failed pass: one line shown and None."""
    from vggviz.data.images import load_image
    from vggviz.figures.maps import to_png
    from vggviz.inference.live import live_results
    from vggviz.serving.scheduler import Busy, scheduler

    png = to_png(picture)
    image = load_image(png, Text(N_("drawing")))
    key = ("draw", loaded.variant, loaded.requested, loaded.source, str(loaded.device), image.digest)
    memo = st.session_state.get(_DRAWN)
    if memo is not None and memo[0] == key:
        return memo[1:]
    try:
        with jobs.foreground():
            res = scheduler().run(key, lambda: live_results(loaded, image.image))
    except Busy as e:
        show_error(e)
        return None
    except (RuntimeError, ValueError, MemoryError) as e:     # torch errors (OOM included) are RuntimeErrors
        show_error(_("The forward pass failed: {reason}").format(reason=e))
        return None
    st.session_state[_DRAWN] = (key, res, png, image)
    return res, png, image


def server_busy() -> bool:
    """Other students' first results are waiting in the server's queue (the live camera then
    skips the network). Safe from any thread."""
    from vggviz.serving.scheduler import scheduler

    return scheduler().queued() > 0
