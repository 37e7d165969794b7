"""Benchmarks and load tools, run from the repository root as modules, e.g.
``.venv/bin/python -m benchmarks.bench_capture``: ``-m`` puts the root on ``sys.path``, so they
import ``vggviz`` (and each other, as ``benchmarks.common``) from a plain checkout, without
``pip install -e .`` and without editing ``sys.path``. The tests start them the same way."""
