"""Links that open the same view: the query-string parameters of each control, parsed and
checked (no streamlit here; :func:`vggviz.app.ui.link_param` applies them to the widgets).

A link carries the page (its URL path) and the choices that make the view: variant, weights
(``imagenet``, ``random`` or ``shapes`` only: never a file), sample image, and the page's own
controls. A value the view cannot take (a layer the variant lacks, a sample that does not
exist, a number out of range) is refused with a one-line note and the default is shown.
Uploaded images are never in a link.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode, urlsplit

from vggviz.errors import VggvizError
from vggviz.i18n import N_, Text

__all__ = ["parse", "LinkError", "share_url", "qr_png", "LINK_WEIGHTS", "MAX_VALUE_CHARS"]

LINK_WEIGHTS = ("imagenet", "random", "shapes")
MAX_VALUE_CHARS = 64


class LinkError(VggvizError):
    """A link value the view cannot take; the message is one line (a :class:`~vggviz.i18n.Text`:
    ``str()`` gives it in the reader's language)."""


def _show(raw: str) -> str:
    return " ".join(str(raw).split())[:MAX_VALUE_CHARS]


def parse(name: str, raw: str, *, options: Sequence[Any] | None = None, lo: float | None = None,
          hi: float | None = None, cast: Callable[[str], Any] = str, fold: bool = False) -> Any:
    """The value ``?name=raw`` stands for, checked against ``options`` (matched case-insensitively
    with ``fold``) or the range ``lo … hi`` after ``cast``; :class:`LinkError` otherwise."""
    raw = str(raw).strip()
    if not raw or len(raw) > MAX_VALUE_CHARS:
        raise LinkError(Text(N_("the link's {name}={value} is empty or too long"), name=name, value=repr(_show(raw))))
    try:
        value = cast(raw)
    except (TypeError, ValueError):
        raise LinkError(Text(N_("the link's {name}={value} is not a {kind}"), name=name, value=repr(_show(raw)),
                           kind=getattr(cast, "__name__", "value").lstrip("_"))) from None
    if options is not None:
        opts = list(options)
        if value in opts:
            return value
        if fold:
            for o in opts:
                if str(o).casefold() == str(value).casefold():
                    return o
        listed = ", ".join(map(str, opts[:8])) + (" …" if len(opts) > 8 else "")
        raise LinkError(Text(N_("the link's {name}={value} is not one of {options}"), name=name, value=repr(_show(raw)),
                           options=listed))
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise LinkError(Text(N_("the link's {name}={value} is outside {lo} … {hi}"), name=name, value=repr(_show(raw)),
                           lo=lo, hi=hi))
    return value


def share_url(page_url: str, url_path: str, params: dict[str, Any], pages: Sequence[str] = ()) -> str:
    """The link to this view: the app's address (scheme, host and base path, from the URL the
    browser opened, with its page segment, one of ``pages``, removed), the page's own path and
    ``params`` as the query string."""
    parts = urlsplit(page_url or "")
    base = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    segs = [s for s in (parts.path or "/").split("/") if s]
    if segs and segs[-1] in set(pages):
        segs = segs[:-1]
    prefix = "".join(f"/{s}" for s in segs)
    query = urlencode({k: str(v) for k, v in params.items() if v is not None})
    return f"{base}{prefix}/{url_path}" + (f"?{query}" if query else "")


@lru_cache(maxsize=256)
def qr_png(url: str, scale: int = 5) -> bytes:
    """The QR code of ``url`` as PNG bytes, for a projector. Cached: a class shares a few
    links, and drawing one cost 10–30 ms of CPU on every script run of every session."""
    import io

    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()
