"""The app in the class's language: English (the source language) and 简体中文.

The mechanism is gettext's convention, kept in Python dicts so there is nothing to compile:

* every string a user reads is written in English inside ``_()`` where it is shown —
  ``st.title(_("Forward pass"))``, ``_("Resized {w}×{h} px").format(w=w, h=h)`` (a template
  with named fields, never an f-string, so the English text is a fixed key);
* a string defined before the language is known (a table of names, a constant) is marked with
  ``N_()`` and translated where it is shown, with ``_(name)``;
* a message made before its reader is known (an error remembered for every session, a note in a
  cached result, a worker thread's error) is a :class:`Text`: English as data, translated by
  ``str()`` and formatting where it is shown;
* the English catalogue is those source strings (the msgids, found by :func:`extract`); the
  Chinese one is ``vggviz/locales/zh/`` — a package of ``MESSAGES = {english: chinese}`` dicts,
  one module per area of the app, merged into one catalogue. ``tests/unit/test_locales.py`` checks that
  both have the same keys and that every template keeps its fields; ``tests/app/test_app_i18n.py``
  renders every page under the pseudo-locale ``qps`` (every message wrapped in ⟦…⟧) to find text
  left out of ``_()``.

The language is per session: the entry point sets it at the start of every script run
(:func:`set_language`; a context variable, so each session's script thread has its own).
Work done in worker threads (the scheduler, training jobs) returns data, not text.
Cached functions must not return translated text (the caches are shared by every session).
"""

from __future__ import annotations

import ast
import contextvars
import importlib
import os
import pkgutil
import re
from contextlib import contextmanager
from functools import cache
from pathlib import Path

__all__ = ["_", "N_", "Text", "LANGUAGES", "PSEUDO", "set_language", "language", "using", "catalogue",
           "available_languages", "extract", "fields"]

LANGUAGES = {"en": "English", "zh": "简体中文"}
PSEUDO = "qps"                      # the pseudo-locale: ⟦every message⟧, for tests
PSEUDO_ENV = "VGGVIZ_PSEUDO_LOCALE"  # set to 1 to offer it (tests do)
DEFAULT = "en"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("vggviz_language", default=DEFAULT)


def available_languages() -> list[str]:
    """The language codes a user (or a link's ``?lang=``) may choose."""
    return list(LANGUAGES) + ([PSEUDO] if os.environ.get(PSEUDO_ENV) == "1" else [])


def set_language(code: str) -> None:
    """The language of everything this thread shows from now on (unknown codes: English)."""
    _current.set(code if code in available_languages() else DEFAULT)


def language() -> str:
    return _current.get()


@contextmanager
def using(code: str):
    """Show everything inside in language ``code`` (for the CLI and tests)."""
    token = _current.set(code if code in available_languages() else DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


@cache
def catalogue(code: str) -> dict[str, str]:
    """The translations of language ``code`` (English and unknown codes: none), merged from
    the modules of ``vggviz/locales/<code>/``. A message translated two different ways in two
    modules is an error."""
    if code == DEFAULT or code not in LANGUAGES:
        return {}
    pkg = importlib.import_module(f"vggviz.locales.{code}")
    merged: dict[str, str] = dict(getattr(pkg, "MESSAGES", {}))
    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        part = importlib.import_module(f"vggviz.locales.{code}.{mod.name}").MESSAGES
        for k, v in part.items():
            if k in merged and merged[k] != v:
                raise ValueError(f"{code}: {k!r} is translated two ways ({merged[k]!r} and {v!r})")
            merged[k] = v
    return merged


def _(message: str) -> str:
    """``message`` (English, the key) in the current language; itself when untranslated."""
    code = _current.get()
    if code == DEFAULT:
        return message
    if code == PSEUDO:
        return f"⟦{message}⟧"
    return catalogue(code).get(message, message)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now (show it with ``_()``)."""
    return message


class Text(str):
    """A message kept in English with its fields, translated when it is shown.

    For text made before its reader is known: an error raised in a worker thread or remembered
    for every session, a note inside a cached result (caches are shared by every session).
    As a ``str`` its value is the English text (equality, ``in``, JSON, logs and the CLI see
    English, and it is safe in a shared cache), while ``str(t)`` and formatting (``f"{t}"``,
    ``"{}".format(t)``, ``st.warning(t)``, ``str(exc)`` of an exception holding it) give it in
    the language of the thread that shows it. A field may be a Text itself.

    ``raise WeightsError(Text(N_("weights file {name!r} not found"), name=path.name))``
    """

    def __new__(cls, template: str = "", **fields) -> Text:
        self = super().__new__(cls, cls._fill(template, fields, translate=False))
        self.template, self.fields = template, fields
        return self

    @staticmethod
    def _fill(template: str, fields: dict, translate: bool) -> str:
        text = _(template) if translate else template
        if not fields:
            return text
        if not translate:      # the English value: nested Texts in English too
            fields = {k: str.__str__(v) if isinstance(v, Text) else v for k, v in fields.items()}
        return text.format(**fields)

    def __str__(self) -> str:
        return self._fill(self.template, self.fields, translate=True)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


# --------------------------------------------------------------------------- the source's messages

_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)?(?:[!:][^{}]*)?\}(?!\})")


def fields(template: str) -> set[str]:
    """The named ``{fields}`` of a ``str.format`` template (``{{`` is a literal brace)."""
    return {m.group(1) or "" for m in _FIELD.finditer(template.replace("{{", "").replace("}}", ""))}


def extract(paths) -> tuple[dict[str, list[str]], list[str]]:
    """Every message of the Python files ``paths``: ``{msgid: ["file:line", …]}``, and the
    places where ``_()``/``N_()`` is given something other than a plain string (an f-string
    or a concatenation cannot be a key) — the latter must be empty."""
    found: dict[str, list[str]] = {}
    bad: list[str] = []
    for path in paths:
        path = Path(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("_", "N_") and node.args):
                arg = node.args[0]
                where = f"{path.name}:{node.lineno}"
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.setdefault(arg.value, []).append(where)
                elif isinstance(arg, (ast.JoinedStr, ast.BinOp)) or node.func.id == "N_":
                    bad.append(where)
    return found, bad


def source_files(root: Path | None = None) -> list[Path]:
    """The files whose messages make the English catalogue: the entry point, the pages and the
    library (the locales themselves excluded)."""
    root = root or Path(__file__).resolve().parent.parent
    files = [root / "streamlit_app.py", *sorted((root / "pages").glob("*.py")),
             *sorted(p for p in (root / "vggviz").rglob("*.py") if "locales" not in p.parts)]
    return [f for f in files if f.is_file()]
