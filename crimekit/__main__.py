"""Entry point for ``python -m crimekit``."""

import sys

from crimekit.cli import main

sys.exit(main())
