"""The one base of vggviz's errors.

Every error vggviz raises for bad input is a subclass of :class:`VggvizError` named ``…Error``
(``ImageError``, ``WeightsError``, ``UnknownLayerError``, …), so a caller catches them all with
one ``except VggvizError`` and shows ``str(e)``: one line a reader can act on, never a
traceback. It is a ``ValueError``, so code that catches ``ValueError`` catches these as before.
Control-flow signals are not errors and do not derive from it (``training.Cancelled``,
``ui.PageEnd``, ``scheduler.Busy``).
"""

from __future__ import annotations

from vggviz.i18n import Text

__all__ = ["VggvizError", "one_line"]


def one_line(text: object, limit: int | None = None) -> str:
    """``text`` as one line: control characters and runs of whitespace become single spaces
    (cut to ``limit`` characters with "…" when given)."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in str(text))
    cleaned = " ".join(cleaned.split())
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return cleaned


class VggvizError(ValueError):
    """Input vggviz cannot use; ``str(e)`` is one line for the user.

    A plain message is cut to its first line (control characters removed) when raised; a :class:`~vggviz.i18n.Text` is kept as it is
    (English as data; ``str()`` gives it in the reader's language), e.g.
    ``raise WeightsError(Text(N_("weights file {name!r} not found"), name=path.name))``.
    """

    def __init__(self, *args: object) -> None:
        if len(args) == 1 and isinstance(args[0], str) and not isinstance(args[0], Text):
            lines = args[0].strip().splitlines()
            args = (one_line(lines[0] if lines else args[0]),)      # the first line: what to do
        super().__init__(*args)
