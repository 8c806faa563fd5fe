"""`python -m webedge` is the `webedge` command."""

import sys

from .console import main

sys.exit(main())
