"""`python -m vggviz`: the command line (:mod:`vggviz.cli`)."""

import sys

from vggviz.cli import main

if __name__ == "__main__":          # not in the worker processes of `experiment --workers N` (spawned)
    sys.exit(main())
