"""``python -m labkube`` is the ``labkube`` command."""

import sys

from labkube.cli import main

sys.exit(main())
