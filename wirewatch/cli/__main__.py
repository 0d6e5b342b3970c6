"""`python -m wirewatch.cli`: the same as the `wirewatch` command."""

import sys

from wirewatch.cli.main import main

sys.exit(main())
