"""`python -m webedge` is the `webedge` command."""

import sys

from .cli import main

sys.exit(main())
