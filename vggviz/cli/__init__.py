"""``python -m vggviz``: the layer table, predictions, attribution maps, one unit's arithmetic,
feature visualisation, receptive fields, training and transfer learning from the command line, for
scripting and exports. ``--json`` prints JSON on stdout.

Eleven commands, each defined (its arguments and what it runs) in the module of its kind:
:mod:`vggviz.cli.network` (summary, weights, predict, rf), :mod:`vggviz.cli.explain` (gradcam,
unit, visualize), :mod:`vggviz.cli.lab` (train, experiment, quiz, transfer).

Bad input (unknown variant or layer, unreadable image, bad weights file, bad sizes) exits
with status 2 and one line on stderr; no traceback (set VGGVIZ_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from vggviz.cli import explain, lab, network
from vggviz.cli.common import Parser, UsageError

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command; each parsed command carries its handler as ``run``."""
    p = Parser(prog="vggviz", description="Take VGG networks apart.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    for kind in (network, explain, lab):
        kind.add_parsers(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command (``argv``: the arguments, default sys.argv); the exit status."""
    try:
        a = build_parser().parse_args(argv)
        a.run(a)
        return 0
    except UsageError as e:
        return _fail(str(e), 2)
    except BrokenPipeError:  # e.g. `python -m vggviz summary vgg16 | head`
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    except (ValueError, OSError) as e:
        # Every input error of vggviz (unknown variant or layer, bad image, bad weights,
        # bad size) is a ValueError subclass with a one-line message.
        if os.environ.get("VGGVIZ_DEBUG"):
            raise
        return _fail(str(e), 2)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as e:  # noqa: BLE001 - never a traceback for the user
        if os.environ.get("VGGVIZ_DEBUG"):
            raise
        return _fail(f"internal error ({type(e).__name__}: {e}); set VGGVIZ_DEBUG=1 for details", 1)


def _fail(message: str, code: int) -> int:
    line = " ".join(str(message).split()) or "error"
    sys.stderr.write(f"vggviz: error: {line}\n")
    return code
