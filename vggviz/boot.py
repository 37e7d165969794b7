"""Imported first by the entry point and by every page: the heavy libraries, imported once and in one thread.

Streamlit runs each session's script in its own thread. When two students open a fresh server
at the same moment, two threads import torchvision at once, and its circular imports then fail
in one of them. The error is "cannot import name 'InterpolationMode' from partially initialized
module 'torchvision.transforms'" (or a ``_DeadlockError``), and that student gets an error page
instead of the app.

Importing this module runs :func:`vggviz.serving.warmup.prepare` under its lock, which imports torch,
torchvision, captum and the rest. Python makes every other thread that imports ``vggviz.boot``
meanwhile wait until the first one has finished. (Waiting in ``vggviz/__init__.py`` would not
do: a thread importing ``vggviz.data.shapes`` skips a parent package that another thread is still
initialising.)

``tests/unit/test_boot.py`` shows the failure without this module and its absence with it. It
also checks that every script imports this module before anything else, which ruff's import
order keeps (its own section in pyproject.toml). The day torchvision imports safely from two
threads, the control in that test fails, and this module can go.
"""

from vggviz.serving import warmup as serving

serving.prepare()
