"""`python -m vggviz`: the command line (:mod:`vggviz.cli`)."""

import sys

from vggviz.cli import main

sys.exit(main())
