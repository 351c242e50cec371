"""``python -m daryo``: the ``daryo`` command."""

import sys

from .cli import main

sys.exit(main())
