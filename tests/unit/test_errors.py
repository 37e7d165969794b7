"""One base error (vggviz.errors.VggvizError): every error class of vggviz derives from it and
is named …Error; messages are one line; it is still a ValueError (what is caught where is as
before)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import vggviz
from vggviz.errors import VggvizError
from vggviz.i18n import N_, Text

# Control-flow signals, not errors: a cancelled run, a page that ended early, a full queue.
SIGNALS = {"Cancelled", "PageEnd", "Busy"}


def _modules():
    for info in pkgutil.walk_packages(vggviz.__path__, "vggviz."):
        if ".locales" in info.name or info.name in ("vggviz.__main__",):
            continue
        yield importlib.import_module(info.name)


def test_every_error_class_is_a_vggviz_error_named_error():
    found = {}
    for mod in _modules():
        for name, cls in vars(mod).items():
            if inspect.isclass(cls) and issubclass(cls, BaseException) and cls.__module__ == mod.__name__:
                found[f"{mod.__name__}.{name}"] = cls
    assert "vggviz.data.images.ImageError" in found and "vggviz.model.weights.WeightsError" in found
    for where, cls in found.items():
        if cls.__name__ in SIGNALS:
            continue
        assert cls.__name__.endswith("Error"), where
        assert issubclass(cls, VggvizError), where
        assert issubclass(cls, ValueError), where


def test_the_message_is_one_line_and_a_text_stays_a_text():
    from vggviz.model.weights import WeightsError

    e = WeightsError("weights file  'x.pth' is not\ta state dict\nTraceback (most recent call last): …")
    assert str(e) == "weights file 'x.pth' is not a state dict"          # its first line, cleaned
    t = Text(N_("weights file {name!r} not found"), name="x.pth")
    assert WeightsError(t).args[0] is t
    with pytest.raises(ValueError):
        raise WeightsError("caught as a ValueError, as before")
