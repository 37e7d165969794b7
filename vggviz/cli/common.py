"""What every command shares: the one-line usage error, the parser that raises it, argument
types, JSON output and loading an image with its model."""

from __future__ import annotations

import argparse
import json
import sys

from vggviz.errors import VggvizError

__all__ = ["UsageError", "Parser", "positive", "print_json", "load", "DEVICES"]

DEVICES = ["auto", "cpu", "cuda"]


class UsageError(VggvizError):
    """Bad input from the user: exit status 2, one line."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (a :class:`UsageError`), not usage + message."""

    def error(self, message: str):
        raise UsageError(f"{message} (see python -m vggviz {self.prog.split()[-1] if ' ' in self.prog else ''} --help)".replace("  ", " "))


def positive(name: str):
    """An argparse type: a whole number of at least 1, named ``name`` in the error."""
    def conv(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number, got {text!r}") from None
        if v < 1:
            raise argparse.ArgumentTypeError(f"{name} must be at least 1, got {v}")
        return v
    return conv


def print_json(obj) -> None:
    """``obj`` as indented JSON on stdout."""
    json.dump(obj, sys.stdout, indent=2)
    sys.stdout.write("\n")


def load(a):
    """The image ``a.image`` and the model ``a.variant`` with ``a.weights`` on ``a.device`` (a note on stderr)."""
    from vggviz.data.images import load_image_file
    from vggviz.model.variants import variant_info
    from vggviz.model.weights import load_model

    variant_info(a.variant)
    image = load_image_file(a.image)
    loaded = load_model(a.variant, a.weights, a.device)
    if loaded.note:
        sys.stderr.write(f"warning: {loaded.note}\n")
    return image, loaded
