"""Translations: one package per language, ``MESSAGES = {english: translation}`` in each module
(see :mod:`vggviz.i18n`). English needs none: its messages are the source's own strings."""
