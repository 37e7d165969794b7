"""`python -m vggviz`: the command line (:mod:`vggviz.cli`)."""

import sys

from .cli import main

sys.exit(main())
